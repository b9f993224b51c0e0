// `node --import tsx --import ./test/_import-log.mjs ...`: appends every module URL the process resolves to the
// file named by TALLY_IMPORT_LOG (used to prove what `tally --help` does not load).
import { register } from 'node:module';

register('./_import-log-hooks.mjs', import.meta.url, { data: { file: process.env.TALLY_IMPORT_LOG } });
