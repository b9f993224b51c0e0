/** Arguments sent to the store's owner name files absolutely, since the owner runs in another directory. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { absolutePaths } from './_remote.js';

test('path options and existing files become absolute; other words and options stay as written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-remote-'));
  try {
    writeFileSync(join(dir, 'export.csv'), 'x');
    const out = absolutePaths(
      [
        'ingest',
        'export.csv',
        '--out',
        'a.csv',
        '--kpi=k.csv',
        '--period',
        '2026-11',
        '--json',
        'missing.csv',
      ],
      dir,
    );
    assert.deepEqual(out, [
      'ingest',
      join(dir, 'export.csv'),
      '--out',
      join(dir, 'a.csv'),
      `--kpi=${join(dir, 'k.csv')}`,
      '--period',
      '2026-11',
      '--json',
      'missing.csv',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
