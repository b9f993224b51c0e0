/** The LimitStore contract suite: every implementation must pass it (run by contract.test.ts). */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LimitCheck, LimitStore } from './limit-store.js';

// Windows must end in the future: Redis expires a counter at its window's end (+1 h), so a fixed past date
// made every Redis counter vanish as soon as it was written once the calendar passed it.
const T0 = Math.floor(Date.now() / 60_000) * 60_000;
let seq = 0;
const rid = () => `r${++seq}`;

function rate(id: string, limit: number, amount: number): LimitCheck {
  return {
    id,
    kind: 'rate',
    rule: `${id}.tpm`,
    limit: BigInt(limit),
    amount: BigInt(amount),
    hard: true,
    resetAt: T0 + 60_000,
  };
}
function budget(id: string, limit: bigint, amount: bigint, hard = true): LimitCheck {
  return { id, kind: 'budget', rule: `${id}.budget`, limit, amount, hard, resetAt: T0 + 86_400_000 };
}

/** Runs the LimitStore contract against one implementation. */
export function limitStoreContract(name: string, make: () => Promise<LimitStore>): void {
  describe(`LimitStore contract: ${name}`, () => {
    const stores: LimitStore[] = [];
    const fresh = async () => {
      const s = await make();
      stores.push(s);
      return s;
    };
    after(async () => {
      for (const s of stores) await s.close();
    });

    test('a token bucket admits up to its capacity and then refuses with the time to refill', async () => {
      const s = await fresh();
      const a = await s.reserve(rid(), [rate('rk1', 100, 60)], T0);
      assert.equal(a.ok, true);
      if (a.ok) assert.equal(a.remaining.get('rk1'), 40n);
      const b = await s.reserve(rid(), [rate('rk1', 100, 60)], T0);
      assert.equal(b.ok, false);
      if (b.ok) return;
      assert.equal(b.remaining, 40n);
      // 20 tokens short at 100 tokens/min = 12 s.
      assert.equal(b.retryAfterMs, 12_000);
      const c = await s.reserve(rid(), [rate('rk1', 100, 60)], T0 + 12_000);
      assert.equal(c.ok, true);
    });

    test('settling gives back the tokens a request reserved but did not use', async () => {
      const s = await fresh();
      const a = await s.reserve(rid(), [rate('rk2', 100, 90)], T0);
      assert.ok(a.ok);
      await s.settle(a.reservation, { tokens: 30n, costNanos: 0n }, T0);
      const st = await s.peek('rk2', 'rate', 100n, T0);
      assert.equal(st?.used, 70n);
      // Settling twice must not refund twice.
      await s.settle(a.reservation, { tokens: 30n, costNanos: 0n }, T0);
      assert.equal((await s.peek('rk2', 'rate', 100n, T0))?.used, 70n);
    });

    test('a request larger than the whole bucket passes only when the bucket is full', async () => {
      const s = await fresh();
      assert.equal((await s.reserve(rid(), [rate('rk3', 100, 150)], T0)).ok, true);
      assert.equal((await s.reserve(rid(), [rate('rk3', 100, 1)], T0)).ok, false);
    });

    test('a refused check takes nothing from the checks that fit (all or nothing)', async () => {
      const s = await fresh();
      await s.seed('b4', 100n, T0 + 86_400_000);
      const r = await s.reserve(rid(), [rate('rk4', 1000, 10), budget('b4', 100n, 5n)], T0);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.check.id, 'b4');
      assert.equal((await s.peek('rk4', 'rate', 1000n, T0))?.used ?? 1000n, 1000n);
    });

    test('concurrent reservations stop as soon as the budget is fully reserved', async () => {
      const s = await fresh();
      const results = await Promise.all(
        Array.from({ length: 200 }, () => s.reserve(rid(), [budget('b5', 1_000_000_000n, 100_000_000n)], T0)),
      );
      assert.equal(results.filter((r) => r.ok).length, 10);
      const st = await s.peek('b5', 'budget', 0n, T0);
      assert.deepEqual(st, { used: 0n, reserved: 1_000_000_000n });
    });

    test('class 4: a hard budget admits a request only when its worst case fits in what is left', async () => {
      const s = await fresh();
      const a = await s.reserve(rid(), [budget('b6', 100n, 80n)], T0);
      assert.ok(a.ok);
      // 80 of 100 reserved: a worst case of 30 does not fit (it could overrun), one of 20 does.
      const crossing = await s.reserve(rid(), [budget('b6', 100n, 30n)], T0);
      assert.equal(crossing.ok, false);
      if (!crossing.ok) {
        assert.equal(crossing.remaining, 20n);
        assert.equal(crossing.retryAfterMs, 86_400_000);
      }
      const fits = await s.reserve(rid(), [budget('b6', 100n, 20n)], T0);
      assert.ok(fits.ok);
      assert.equal((await s.reserve(rid(), [budget('b6', 100n, 1n)], T0)).ok, false);
      // Settling to actual frees what was reserved but not spent.
      await s.settle(a.reservation, { tokens: 0n, costNanos: 50n }, T0);
      assert.deepEqual(await s.peek('b6', 'budget', 0n, T0), { used: 50n, reserved: 20n });
      assert.equal((await s.reserve(rid(), [budget('b6', 100n, 30n)], T0)).ok, true);
      assert.equal((await s.reserve(rid(), [budget('b6', 100n, 1n)], T0)).ok, false);
    });

    test('a soft budget never refuses and reports its breach once per window', async () => {
      const s = await fresh();
      const a = await s.reserve(rid(), [budget('b7', 100n, 80n, false)], T0);
      assert.ok(a.ok && a.softBreaches.length === 0);
      const b = await s.reserve(rid(), [budget('b7', 100n, 80n, false)], T0);
      assert.ok(b.ok);
      assert.deepEqual(
        b.softBreaches.map((c) => c.id),
        ['b7'],
      );
      const c = await s.reserve(rid(), [budget('b7', 100n, 80n, false)], T0);
      assert.ok(c.ok && c.softBreaches.length === 0);
    });

    test('seeding starts a counter from stored spend but never overwrites a live one', async () => {
      const s = await fresh();
      await s.seed('b8', 100n, T0 + 86_400_000);
      assert.equal((await s.reserve(rid(), [budget('b8', 100n, 1n)], T0)).ok, false);
      await s.seed('b8', 0n, T0 + 86_400_000);
      assert.deepEqual(await s.peek('b8', 'budget', 0n, T0), { used: 100n, reserved: 0n });
    });
  });
}
