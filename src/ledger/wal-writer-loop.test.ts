import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalWriter } from './_wal-writer.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Replaces fs.writeSync (for the writer's named import too) with `spy` while `fn` runs. The spy gets the real
 * writeSync to call, so a test can watch every durable write the loop writer makes, or make one fail.
 */
async function withWriteSync<R>(
  spy: (real: (...args: unknown[]) => number, ...args: unknown[]) => number,
  fn: () => Promise<R>,
): Promise<R> {
  const real = fs.writeSync;
  const call = real as (...args: unknown[]) => number;
  fs.writeSync = ((...args: unknown[]) => spy(call, ...args)) as typeof fs.writeSync;
  syncBuiltinESMExports();
  try {
    return await fn();
  } finally {
    fs.writeSync = real;
    syncBuiltinESMExports();
  }
}

async function inDir<R>(fn: (dir: string) => Promise<R>): Promise<R> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-wal-loop-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const segmentText = (dir: string): string =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('');

test('appends made in one synchronous run share one durable write, made once that run ends', async () => {
  await inDir(async (dir) => {
    const w = await WalWriter.open<number>(dir, { writes: 'loop' });
    const writes: string[] = [];
    await withWriteSync(
      (real, ...args) => {
        writes.push((args[1] as Buffer).toString('utf8'));
        return real(...args);
      },
      async () => {
        const acks = Array.from({ length: 30 }, (_, i) => w.append(`{"n":${i}}`, i));
        // Nothing is written while the code that appended is still running.
        assert.equal(writes.length, 0);
        await Promise.all(acks);
        acks.push(w.append('{"n":30}', 30));
        await Promise.all(acks);
      },
    );
    assert.equal(writes.length, 2);
    assert.equal(writes[0]!.split('\n').filter(Boolean).length, 30);
    assert.equal(writes[1], '{"n":30}\n');
    await w.close();
  });
});

test('an acknowledgement never precedes its line being written with the durable write', async () => {
  await inDir(async (dir) => {
    const w = await WalWriter.open<number>(dir, { writes: 'loop' });
    let written = 0;
    const seen: number[] = [];
    await withWriteSync(
      (real, ...args) => {
        const n = real(...args);
        written += 1;
        return n;
      },
      async () => {
        const acks: Promise<void>[] = [];
        for (let i = 0; i < 40; i++) {
          acks.push(
            w.append(`{"n":${i}}`, i).then(() => {
              // The write has returned (O_DSYNC: on disk) and the file holds this line when the append resolves.
              assert.ok(written > 0);
              assert.ok(segmentText(dir).includes(`{"n":${i}}\n`));
              seen.push(i);
            }),
          );
          if (i % 7 === 6) await turn();
        }
        await Promise.all(acks);
      },
    );
    assert.equal(seen.length, 40);
    assert.ok(written >= 6, `one write per turn that appended, got ${written}`);
    await w.close();
  });
});

test('a failed durable write fails every append of its batch, and the next turn writes again', async () => {
  await inDir(async (dir) => {
    const w = await WalWriter.open<number>(dir, { writes: 'loop' });
    let fail = true;
    const results = await withWriteSync(
      (real, ...args) => {
        if (fail) {
          fail = false;
          throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
        }
        return real(...args);
      },
      async () => {
        const first = await Promise.allSettled([0, 1, 2].map((i) => w.append(`{"n":${i}}`, i)));
        const second = await Promise.allSettled([w.append('{"n":3}', 3)]);
        return { first, second };
      },
    );
    assert.deepEqual(
      results.first.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok')),
      ['EIO: i/o error, write', 'EIO: i/o error, write', 'EIO: i/o error, write'],
    );
    assert.equal(results.second[0]!.status, 'fulfilled');
    assert.equal(w.durableCount, 1);
    assert.equal(segmentText(dir), '{"n":3}\n');
    await w.close();
  });
});

test('closing a loop writer makes the appends of the current turn durable first', async () => {
  await inDir(async (dir) => {
    const w = await WalWriter.open<number>(dir, { writes: 'loop' });
    const acks = [w.append('{"n":1}', 1), w.append('{"n":2}', 2)];
    await w.close();
    await Promise.all(acks);
    assert.equal(segmentText(dir), '{"n":1}\n{"n":2}\n');
    await assert.rejects(w.append('{"n":3}', 3), /closed/);
  });
});

test("the ledger writes on the event loop only when asked to (walWrites: 'loop'); libuv's pool by default", async () => {
  await inDir(async (dir) => {
    const { openDuckDBStore } = await import('../store/index.js');
    const { Ledger, makeUsageEvent } = await import('./index.js');
    const store = await openDuckDBStore({ path: ':memory:' });
    const event = (id: string) =>
      makeUsageEvent({ id, startTime: Date.UTC(2026, 0, 1), model: 'gpt-4o', costNanos: 1n });
    const syncWrites = { loop: 0, pool: 0 };
    for (const mode of ['loop', 'pool'] as const) {
      const { ledger } = await Ledger.open({
        store,
        dir: join(dir, mode),
        flushIntervalMs: 3_600_000,
        ...(mode === 'loop' ? { walWrites: 'loop' as const } : {}),
      });
      await withWriteSync(
        (real, ...args) => {
          syncWrites[mode] += 1;
          return real(...args);
        },
        () => ledger.appendMany([event(`${mode}-1`), event(`${mode}-2`)]),
      );
      assert.equal(ledger.acknowledged, 2);
      await ledger.close();
    }
    assert.deepEqual(syncWrites, { loop: 1, pool: 0 });
    await store.close();
  });
});
