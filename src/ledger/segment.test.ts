import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cutAtFirstNul, Segment, SpareMaker, SPARE_MIN } from './_segment.js';
import { WalWriter, prepareLeftovers } from './_wal.js';

const withDir = async (f: (dir: string) => Promise<void>): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-seg-'));
  try {
    await f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const waitFor = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('condition not reached in 5 s');
};

test('a crashed segment is cut at its first NUL byte, keeping a torn last line for the reader', () =>
  withDir(async (dir) => {
    const p = join(dir, 'wal-00000001.jsonl');
    const body = '{"a":1}\n{"a":2}\n{"a":';
    writeFileSync(p, Buffer.concat([Buffer.from(body), Buffer.alloc(4096), Buffer.from('{"late":1}\n')]));
    assert.equal(cutAtFirstNul(p), Buffer.byteLength(body));
    assert.equal(readFileSync(p, 'utf8'), body);
    // A segment without zeros is left as it is.
    assert.equal(cutAtFirstNul(p), Buffer.byteLength(body));
  }));

test('a segment written over a spare is closed at exactly the bytes written', () =>
  withDir(async (dir) => {
    const maker = new SpareMaker(dir);
    maker.start(1);
    let spare: string | null = null;
    await waitFor(() => (spare = maker.take(1)) !== null);
    assert.equal(statSync(spare!).size, SPARE_MIN);
    const seg = await Segment.create(join(dir, 'wal-00000001.jsonl'), spare);
    await seg.write(Buffer.from('{"a":1}\n'));
    await seg.write(Buffer.from('{"a":2}\n'));
    await seg.datasync();
    assert.equal(statSync(seg.path).size, SPARE_MIN, 'writes go over the zeros, the file does not grow');
    await seg.close();
    assert.equal(readFileSync(seg.path, 'utf8'), '{"a":1}\n{"a":2}\n');
    await maker.close();
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.endsWith('.zero')),
      [],
    );
  }));

test('the writer rotates into pre-zeroed spares and its closed segments hold only their lines', () =>
  withDir(async (dir) => {
    const w = await WalWriter.open<number>(dir);
    await waitFor(() => readdirSync(dir).some((n) => n.endsWith('.zero')));
    await Promise.all(Array.from({ length: 50 }, (_, i) => w.append(`{"i":${i}}`, i)));
    const r1 = await w.rotate();
    assert.equal(r1.count, 50);
    assert.deepEqual(
      [...r1.items].sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
    );
    await Promise.all(Array.from({ length: 30 }, (_, i) => w.append(`{"i":${100 + i}}`, 100 + i)));
    const r2 = await w.rotate();
    assert.equal(r2.count, 30);
    const lines = readFileSync(r2.paths[0]!, 'utf8').split('\n');
    assert.equal(lines.pop(), '');
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { i: number }).i).sort((a, b) => a - b),
      r2.items.sort((a, b) => a - b),
    );
    await w.close();
  }));

test('a restart replays what a writer left over a spare and deletes stale spares', () =>
  withDir(async (dir) => {
    const w = await WalWriter.open<number>(dir);
    await waitFor(() => readdirSync(dir).some((n) => n.endsWith('.zero')));
    await w.rotate(); // the live segment now sits over a spare, with a zero tail
    await Promise.all(Array.from({ length: 20 }, (_, i) => w.append(`{"i":${i}}`, i)));
    // No close: as after kill -9, the segment keeps its zeros and a spare may be left.
    const left = prepareLeftovers(dir);
    const text = left.map((p) => readFileSync(p, 'utf8')).join('');
    assert.equal(text.split('\n').filter(Boolean).length, 20);
    assert.ok(!text.includes('\0'));
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.endsWith('.zero')),
      [],
    );
  }));
