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

test("the command's own words stay words even when a file of that name exists (tally alerts test beside test/)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-remote-'));
  try {
    writeFileSync(join(dir, 'test'), 'x');
    writeFileSync(join(dir, 'alerts'), 'x');
    assert.deepEqual(absolutePaths(['alerts', 'test', '--json'], dir, 'alerts test'), [
      'alerts',
      'test',
      '--json',
    ]);
    // A later positional of the same name is a file again.
    assert.deepEqual(absolutePaths(['--json', 'ingest', 'test'], dir, 'ingest'), [
      '--json',
      'ingest',
      join(dir, 'test'),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
