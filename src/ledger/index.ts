/** ledger: the UsageEvent and its durable append log, flushed in batches to the store. */
export * from './event.js';
export { Ledger, ledgerDirFor, type LedgerOptions } from './ledger.js';
export { encodeEvent, decodeEvent } from './_wal.js';
