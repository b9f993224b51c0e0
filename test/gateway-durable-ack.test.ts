/** Acknowledged means durable: a gateway killed under load has metered every answer it completed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createKey } from '../src/gateway/index.js';
import { Ledger, ledgerDirFor } from '../src/ledger/index.js';
import { openStore, duckdbSql } from '../src/store/index.js';
import { startGatewayCli, type CliGateway } from './cli.js';
import { makeFixture } from './gateway-fixture.js';

/** Sends requests from `workers` loops until `stop()`; returns the ids of answers that arrived complete. */
function load(url: string, key: string, workers: number) {
  const completed: string[] = [];
  let running = true;
  const one = async (i: number): Promise<void> => {
    const stream = i % 3 === 0;
    const r = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        stream,
        messages: [{ role: 'user', content: `hi ${i}` }],
      }),
    });
    // text() rejects when the connection dies before the end of the body (content-length or chunked end).
    const text = await r.text();
    const complete = stream ? text.includes('data: [DONE]') : 'usage' in (JSON.parse(text) as object);
    if (r.status === 200 && complete) completed.push(r.headers.get('x-tally-request-id')!);
  };
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let i = w; running; i += workers) await one(i).catch(() => undefined);
  });
  return {
    completed,
    async stop(): Promise<void> {
      running = false;
      await Promise.all(loops);
    },
  };
}

// Both places the WAL's durable write can run (gateway.walWrites; ADR 0042, session 9) keep the guarantee.
for (const walWrites of ['pool', 'loop'] as const) {
  test(`acknowledged means durable (WAL writes on the ${walWrites}): every answer completed before a SIGKILL under load is in the store once`, async () => {
    const fx = await makeFixture(`  walWrites: ${walWrites}\n`);
    let gw: CliGateway | null = null;
    try {
      const s = await openStore({ path: fx.dbPath });
      const { key } = await createKey(s, { team: 'durable', app: 'ack' });
      await s.close();
      const acked: string[] = [];
      // Two kills, each after ~400 ms of 24 concurrent clients (JSON and streams); the second run replays the first.
      for (let kill = 0; kill < 2; kill++) {
        gw = await startGatewayCli(fx.configPath, fx.dbPath);
        const l = load(gw.url, key, 24);
        const until = l.completed.length + 150;
        for (let t = 0; t < 200 && l.completed.length < until; t++)
          await new Promise((ok) => setTimeout(ok, 20));
        gw.kill();
        await l.stop();
        acked.push(...l.completed);
        rmSync(`${fx.dbPath}.gateway.json`, { force: true });
      }
      assert.ok(acked.length >= 200, `only ${acked.length} answers completed`);
      // A restart replays the WAL into the store (what the next `tally gateway` does on start).
      const store = await openStore({ path: fx.dbPath });
      const { ledger } = await Ledger.open({ store, dir: ledgerDirFor(fx.dbPath) });
      await ledger.close();
      const rows = await duckdbSql(store).query(
        'SELECT id, count(*)::INTEGER AS n FROM usage_events GROUP BY id',
      );
      await store.close();
      const stored = new Map(rows.map((r) => [String(r['id']), Number(r['n'])]));
      const lost = acked.filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], `${lost.length} of ${acked.length} completed answers are not in the store`);
      assert.deepEqual(
        [...stored].filter(([, n]) => n > 1),
        [],
        'no event is stored twice',
      );
    } finally {
      gw?.kill();
      await fx.cleanup();
    }
  });
}
