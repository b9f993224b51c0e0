import { runStoreContract } from './_contract.js';
import { openDuckDBStore } from './index.js';

runStoreContract('duckdb', () => openDuckDBStore({ path: ':memory:' }));
