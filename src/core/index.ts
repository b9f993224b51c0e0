/** core: money, time windows, ids, the error family, the config schema and atomic state files. Depends on nothing else in Tally. */
export * from './errors.js';
export * from './money.js';
export * from './currency.js';
export * from './time.js';
export * from './ids.js';
export * from './csv.js';
export * from './files.js';
export * from './site-path.js';
export * from './config/index.js';
