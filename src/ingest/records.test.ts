import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, duckdbSql } from '../store/index.js';
import { RecordCounter } from './_records.js';

// The row-count check behind "ingest never reports loaded for fewer rows than the file has" (issue 15,
// class 12) is only as good as this count: it must agree with read_csv on every line ending and quoting.
const CASES: [string, string, number][] = [
  ['LF', 'a,b\n1,2\n3,4\n', 3],
  ['CRLF without a last line end', 'a,b\r\n1,2\r\n3,4', 3],
  ['a lone CR (classic Mac)', 'a,b\r1,2\r3,4\r', 3],
  ['blank lines, skipped as read_csv skips them', 'a,b\r\n1,2\r\n\r\n3,4\r\n\r\n', 3],
  ['a line of spaces, which read_csv rejects and counts', 'a,b\n1,2\n   \n3,4\n', 4],
  ['line breaks and doubled quotes inside quotes', 'a,b\n"x\r\ny ""q"" \n",2\n3,"4\n"\n', 3],
  ['an unterminated quote swallowing the rest', 'a,b\n"x,2\n3,4\n5,6\n', 2],
];

function count(text: string, chunk: number): number {
  const c = new RecordCounter();
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += chunk) c.push(b.subarray(i, i + chunk));
  return c.end();
}

for (const [name, text, records] of CASES)
  test(`non-UTF-8 rows are never silently dropped: the record count agrees with read_csv for ${name}, however the bytes are chunked`, () => {
    for (const chunk of [1, 2, 3, 7, 1 << 20]) assert.equal(count(text, chunk), records, `chunk ${chunk}`);
  });

test('non-UTF-8 rows are never silently dropped: the record counts above are what DuckDB read_csv reads and rejects', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-records-'));
  const store = await openStore({ path: ':memory:' });
  try {
    for (const [i, [name, text, records]] of CASES.entries()) {
      const file = join(dir, `c${i}.csv`);
      writeFileSync(file, text);
      const [row] = await duckdbSql(store)
        .query(`SELECT count(*) AS n FROM read_csv('${file}', header = true, auto_detect = false,
        delim = ',', quote = '"', escape = '"', columns = {'c0': 'VARCHAR', 'c1': 'VARCHAR'}, store_rejects = true,
        rejects_table = 'rej${i}', rejects_scan = 'rejscan${i}')`);
      const [rej] = await duckdbSql(store).query(`SELECT count(DISTINCT line) AS n FROM rej${i}`);
      assert.equal(Number(row!['n']) + Number(rej!['n']), records - 1, name);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
