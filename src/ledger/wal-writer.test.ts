import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDBStore } from '../store/index.js';
import { Ledger, encodeEvent } from './index.js';
import { WalWriter } from './_wal-writer.js';
import { repairSegment } from './_wal.js';
import { testEvent } from './_test-events.js';

const event = (i: number) => testEvent(i);

// What a crash can leave with two durable writes in flight: the earlier write lost (zeros, or torn pieces of
// it among zeros), the later one complete after it, and a torn last write.
const gapSegment = (): string =>
  encodeEvent(event(1)) +
  '\n' +
  '\0'.repeat(3000) +
  encodeEvent(event(2)).slice(40) +
  '\n' +
  '\0'.repeat(1000) +
  encodeEvent(event(3)) +
  '\n' +
  encodeEvent(event(4)).slice(0, 30);

test('a segment where a crash left zeros before a durable write is replayed without losing that write', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-wal-gap-'));
  try {
    mkdirSync(join(dir, 'wal'));
    writeFileSync(join(dir, 'wal', 'wal-00000001.jsonl'), gapSegment());
    const store = await openDuckDBStore({ path: join(dir, 'db.duckdb') });
    const { ledger, replayed } = await Ledger.open({ store, dir: join(dir, 'wal') });
    await ledger.close();
    assert.equal(replayed, 2);
    assert.equal(await store.countUsage(new Date(0), new Date(Date.UTC(2030, 0, 1))), 2);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('repairing a segment keeps its complete lines and leaves a segment without zeros untouched', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-wal-repair-'));
  try {
    const gap = join(dir, 'wal-00000001.jsonl');
    writeFileSync(gap, gapSegment());
    assert.equal(repairSegment(gap), 2);
    assert.equal(readFileSync(gap, 'utf8'), [event(1), event(3)].map(encodeEvent).join('\n') + '\n');
    const clean = join(dir, 'wal-00000002.jsonl');
    const text = encodeEvent(event(5)) + '\n' + encodeEvent(event(6)).slice(0, 10);
    writeFileSync(clean, text);
    assert.equal(repairSegment(clean), 0);
    assert.equal(readFileSync(clean, 'utf8'), text);
    assert.deepEqual(readdirSync(dir).sort(), ['wal-00000001.jsonl', 'wal-00000002.jsonl']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const writes of ['pool', 'loop'] as const) {
  test(`a rotation with ${writes} writes closes exactly the events appended before it, and later appends go to the next segment`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-wal-rotate-'));
    try {
      const w = await WalWriter.open<number>(dir, { writes });
      const acks: Promise<void>[] = [];
      // Appends in separate turns, so several durable writes overlap the rotation.
      for (let i = 0; i < 20; i++) {
        acks.push(w.append(`{"n":${i}}`, i));
        if (i % 5 === 4) await new Promise((r) => setImmediate(r));
      }
      const rotation = w.rotate();
      for (let i = 20; i < 50; i++) acks.push(w.append(`{"n":${i}}`, i));
      const first = await rotation;
      await Promise.all(acks);
      assert.equal(first.count, 20);
      assert.deepEqual(
        [...first.items].sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i),
      );
      const lines = (p: string) => readFileSync(p, 'utf8').trim().split('\n');
      assert.equal(lines(first.paths[0]!).length, 20);
      const second = await w.rotate();
      assert.equal(second.count, 30);
      assert.equal(lines(second.paths[0]!).length, 30);
      await w.close();
      // The segment opened ahead for the next rotation is removed on close; the current (empty) one stays.
      assert.deepEqual(readdirSync(dir).sort(), [
        'wal-00000001.jsonl',
        'wal-00000002.jsonl',
        'wal-00000003.jsonl',
      ]);
      assert.equal(readFileSync(join(dir, 'wal-00000003.jsonl'), 'utf8'), '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a write that takes only part of a batch is finished before the batch is acknowledged (pool writes)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-wal-short-'));
  const probe = await open(join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as {
    write: (...args: unknown[]) => Promise<{ bytesWritten: number }>;
  };
  await probe.close();
  const real = proto.write;
  let calls = 0;
  // The first write takes 7 bytes only, as a nearly full disk may; later writes take what they are given.
  proto.write = function (this: unknown, ...args: unknown[]) {
    calls++;
    if (calls === 1 && Buffer.isBuffer(args[0])) return real.call(this, args[0], args[1], 7);
    return real.apply(this, args);
  };
  try {
    const w = await WalWriter.open<number>(join(dir, 'wal'), { writes: 'pool' });
    const line = encodeEvent(event(1));
    await w.append(line, 1);
    assert.ok(calls >= 2, 'the rest of the batch was written');
    const text = readdirSync(join(dir, 'wal'))
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => readFileSync(join(dir, 'wal', f), 'utf8'))
      .join('');
    assert.equal(text, `${line}\n`);
    await w.close();
  } finally {
    proto.write = real;
    rmSync(dir, { recursive: true, force: true });
  }
});
