import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from './files.js';

test('a file written atomically replaces the old one whole, private, and leaves no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-atomic-'));
  try {
    const path = join(dir, 'state.json');
    writeFileSync(path, '{"old":true}');
    writeFileAtomic(path, JSON.stringify({ url: 'http://127.0.0.1:1', pid: 1 }));
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { url: 'http://127.0.0.1:1', pid: 1 });
    assert.deepEqual(readdirSync(dir), ['state.json']);
    if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
