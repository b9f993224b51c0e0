import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runStoreContract } from './_contract.js';
import { openDuckDBStore } from './index.js';

runStoreContract('duckdb', () => openDuckDBStore({ path: ':memory:' }));

test('a store opened with threads and a memory limit runs DuckDB with exactly those settings', async () => {
  const store = await openDuckDBStore({ path: ':memory:', threads: 1, memoryLimit: '512MB' });
  try {
    const [row] = await store.query(
      "SELECT current_setting('threads') AS threads, current_setting('memory_limit') AS mem",
    );
    assert.equal(Number(row!['threads']), 1);
    assert.match(String(row!['mem']), /^(488\.2 MiB|512\.0 MB|500\.0 MiB)$/);
  } finally {
    await store.close();
  }
});
