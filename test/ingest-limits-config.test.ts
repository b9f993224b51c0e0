import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from './cli.js';
import { LINES, focusCsv } from './ingest-fixtures.js';
import { inTempDir } from './_allocation-fixture.js';

test('compressed input: the decompression caps come from tally.yaml ingest and refuse a file past them with exit 2', async () => {
  await inTempDir('tally-limits-', async (dir) => {
    const file = join(dir, 'focus.csv.gz');
    writeFileSync(file, gzipSync(focusCsv(LINES)));
    const cfg = join(dir, 'tally.yaml');
    writeFileSync(cfg, 'ingest:\n  maxDecompressedBytes: 100\n');
    const db = join(dir, 't.duckdb');
    const refused = await runCli(['ingest', file, '--db', db, '--config', cfg]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /focus\.csv\.gz.*ingest\.maxDecompressedBytes/);
    const v = await runCli(['validate', file, '--config', cfg]);
    assert.equal(v.code, 2, v.stderr);
    writeFileSync(cfg, 'ingest:\n  maxDecompressedBytes: 1000000\n');
    const ok = await runCli(['ingest', file, '--db', db, '--config', cfg, '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.json<{ rowsLoaded: number }>().rowsLoaded, LINES.length);
  });
});
