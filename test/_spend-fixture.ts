/** Test fixture: a DuckDB store with N days of hourly usage for two teams, and optional planted incidents. */
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { makeUsageEvent, type UsageEvent } from '../src/ledger/index.js';
import { tempDir } from './_temp.js';

/** A planted incident: extra cost for one team/model during [from, to) hours since the start. */
export interface Planted {
  readonly team: string;
  readonly model: string;
  readonly fromHour: number;
  readonly toHour: number;
  /** Extra requests per hour. */
  readonly requests: number;
}

/** Creates a store under a temp dir; returns its path. Day 0 is `start`. Costs: $0.10 per gpt-4o request, $0.02 per gpt-4o-mini request. */
export async function makeSpendStore(opts: {
  days: number;
  start: string;
  planted?: readonly Planted[];
  /** Days (YYYY-MM-DD) with a fifth of the usual traffic, as on a public holiday. */
  quiet?: readonly string[];
}): Promise<string> {
  const dir = tempDir('tally-spend-');
  const path = join(dir, 'tally.duckdb');
  const store = await openStore({ path });
  const t0 = Date.parse(`${opts.start}T00:00:00Z`);
  const events: UsageEvent[] = [];
  let n = 0;
  const add = (hour: number, team: string, model: string, count: number) => {
    const price = model === 'gpt-4o' ? 100_000_000n : 20_000_000n;
    events.push(
      makeUsageEvent({
        id: `e${n++}`,
        startTime: t0 + hour * 3_600_000 + 60_000,
        model,
        team,
        app: `${team}-app`,
        keyId: `key-${team}`,
        deployment: model,
        inputTokens: 1000 * count,
        outputTokens: 200 * count,
        costNanos: price * BigInt(count),
        listCostNanos: price * BigInt(count),
      }),
    );
  };
  for (let h = 0; h < opts.days * 24; h++) {
    const dow = new Date(t0 + h * 3_600_000).getUTCDay();
    const weekend = dow === 0 || dow === 6;
    // Deterministic wobble (+-10%) so the series is not flat; weekends are 40% lower.
    const quiet = opts.quiet?.includes(new Date(t0 + h * 3_600_000).toISOString().slice(0, 10)) ? 0.2 : 1;
    const wobble = quiet * (1 + 0.1 * Math.sin(h * 1.7));
    add(h, 'search', 'gpt-4o', Math.round((weekend ? 6 : 10) * wobble));
    add(h, 'support', 'gpt-4o-mini', Math.round((weekend ? 12 : 20) * wobble));
    for (const p of opts.planted ?? [])
      if (h >= p.fromHour && h < p.toHour) add(h, p.team, p.model, p.requests);
  }
  await store.appendUsage(events);
  await store.close();
  return path;
}
