/** The ledger while its store is unreachable: events stay in the WAL, flushes back off, nothing is counted twice. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TallyError } from '../core/index.js';
import { openDuckDBStore, type CostStore } from '../store/index.js';
import { claimReplicaDir, Ledger } from './index.js';
import { testEvent } from './_test-events.js';

const event = (i: number) => testEvent(i, 'o', 7n);
const ALL = [new Date(0), new Date(Date.UTC(2030, 0, 1))] as const;

/** A store whose appends fail while `mode` is `down`, or store the rows and then fail (`lost-ack`: the commit
 * happened but its answer never arrived, as when a connection drops at COMMIT). */
function flaky(store: CostStore): { store: CostStore; mode: 'up' | 'down' | 'lost-ack'; attempts: number } {
  const state = { store, mode: 'up' as 'up' | 'down' | 'lost-ack', attempts: 0 };
  const wrap =
    <A extends unknown[]>(f: (...a: A) => Promise<number>) =>
    async (...a: A): Promise<number> => {
      state.attempts += 1;
      if (state.mode === 'down') throw new TallyError('unavailable', 'store unreachable (test)');
      const n = await f(...a);
      if (state.mode === 'lost-ack') {
        state.mode = 'up';
        throw new TallyError('unavailable', 'connection lost at commit (test)');
      }
      return n;
    };
  state.store = new Proxy(store, {
    get(target, p, recv) {
      const v = Reflect.get(target, p, recv) as unknown;
      if ((p === 'appendUsage' || p === 'appendUsageFromWal') && typeof v === 'function')
        return wrap((v as (...a: unknown[]) => Promise<number>).bind(target));
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return state;
}

test('while the store is unreachable events stay in the WAL, flushes back off, and they land once after', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-ledger-outage-'));
  const real = await openDuckDBStore({ path: join(dir, 'db.duckdb') });
  try {
    const f = flaky(real);
    const errors: Error[] = [];
    const { ledger } = await Ledger.open({
      store: f.store,
      dir: join(dir, 'wal'),
      flushIntervalMs: 20,
      onError: (e) => errors.push(e),
    });
    f.mode = 'down';
    await ledger.appendMany(Array.from({ length: 50 }, (_, i) => event(i)));
    // Over ~1.6 s of 20 ms ticks a retry-every-tick ledger would try ~80 times; backing off 1, 2 … s, 2.
    await new Promise((ok) => setTimeout(ok, 1600));
    assert.ok(f.attempts >= 1 && f.attempts <= 3, `attempts while down: ${f.attempts}`);
    assert.equal(ledger.failedFlushes, f.attempts);
    assert.equal(errors.length, f.attempts);
    assert.ok(readdirSync(join(dir, 'wal')).some((n) => n.startsWith('wal-')));
    assert.equal(await real.countUsage(...ALL), 0);
    // Back, but the first flush's commit answer is lost: the retry replays rows the store already has.
    f.mode = 'lost-ack';
    await ledger.appendMany(Array.from({ length: 50 }, (_, i) => event(50 + i)));
    await ledger.flush().catch(() => undefined);
    assert.equal(await real.countUsage(...ALL), 100);
    await ledger.close();
    assert.equal(ledger.failedFlushes, 0);
    assert.equal(await real.countUsage(...ALL), 100, 'no event counted twice');
  } finally {
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('replicas on one host claim separate WAL folders, and a dead replica’s folder is claimed again', async () => {
  const base = mkdtempSync(join(tmpdir(), 'tally-claim-'));
  try {
    const a = await claimReplicaDir(base, process.pid);
    // A live process other than this one (the parent) holds the next folder.
    const b = await claimReplicaDir(base, process.ppid);
    assert.notEqual(a.dir, b.dir);
    a.release();
    const c = await claimReplicaDir(base, 999_999_999); // a pid that is not running
    assert.equal(c.dir, a.dir, 'a released folder is reused');
    const d = await claimReplicaDir(base, process.pid);
    assert.equal(d.dir, a.dir, 'a folder whose owner is dead is claimed again');
    assert.notEqual(d.dir, b.dir);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
