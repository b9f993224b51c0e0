/** An ingested file can be recorded under another name than its path (the API's uploads: the uploaded name). */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TallyError } from '../core/index.js';
import { openStore, duckdbSql } from '../store/index.js';
import { ingestFiles } from './index.js';

const CSV = [
  'BillingAccountId,BillingPeriodStart,ChargePeriodStart,BilledCost,EffectiveCost,ServiceName',
  'acct-1,2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,1.25,1.25,Azure OpenAI',
  'acct-1,2026-01-01T00:00:00Z,2026-01-03T00:00:00Z,abc,1,Azure OpenAI',
  '',
].join('\n');

let dir: string;
let upload: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tally-source-name-'));
  mkdirSync(join(dir, 'tally-upload-x'));
  upload = join(dir, 'tally-upload-x', 'upload.csv');
  writeFileSync(upload, CSV);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a file ingested under a name appears under that name in the answer, the ingest record, its rows and the quarantine', async () => {
  const store = await openStore({ path: ':memory:' });
  try {
    const opts = { paths: [upload], name: 'costs.csv', quarantineDir: join(dir, 'q') };
    const res = await ingestFiles(store, opts);
    assert.deepEqual(
      res.files.map((f) => [f.file, f.status, f.rowsLoaded, f.rowsRejected]),
      [['costs.csv', 'loaded', 1, 1]],
    );
    const sql = duckdbSql(store);
    assert.deepEqual(
      (await sql.query('SELECT file FROM ingests')).map((r) => r['file']),
      ['costs.csv'],
    );
    assert.deepEqual(
      (await sql.query('SELECT DISTINCT _source_file AS f FROM cost_rows')).map((r) => r['f']),
      ['costs.csv'],
    );
    const quarantine = readFileSync(res.quarantine!, 'utf8');
    assert.match(quarantine, /^costs\.csv,3,BilledCost: cannot read abc/m);
    assert.doesNotMatch(quarantine, /tally-upload-x/);
    const again = await ingestFiles(store, opts);
    assert.deepEqual(
      again.files.map((f) => [f.file, f.status]),
      [['costs.csv', 'unchanged']],
    );
  } finally {
    await store.close();
  }
});

test('a name is refused when the paths name more than one file, and the path is kept when none is given', async () => {
  const store = await openStore({ path: ':memory:' });
  try {
    const other = join(dir, 'other.csv');
    writeFileSync(other, CSV.replace('1.25,1.25', '2,2'));
    await assert.rejects(
      ingestFiles(store, { paths: [upload, other], name: 'costs.csv', quarantineDir: join(dir, 'q') }),
      (err: unknown) => err instanceof TallyError && err.code === 'invalid_input',
    );
    const res = await ingestFiles(store, { paths: [other], quarantineDir: join(dir, 'q') });
    assert.equal(res.files[0]!.file, other);
  } finally {
    await store.close();
  }
});
