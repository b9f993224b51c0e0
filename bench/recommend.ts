/**
 * Recommendation benchmark (issue 14 targets): the PTU replay over 60 days of per-minute load for every PTU
 * count 0–100 (target < 2 s), and `recommend` end to end on a store (target < 10 s on the demo's 90 days).
 * Usage: node --import tsx bench/recommend.ts [--db COPY-OF-DEMO.duckdb]
 * Never point --db at a store another process writes: it is opened read-only, but copy the demo anyway.
 */
import { parseArgs } from 'node:util';
import { monthWindow } from '../src/core/index.js';
import { duckdbSql, openStore } from '../src/store/index.js';
import {
  latestCompleteMonth,
  loadRecommendInputs,
  recommend,
  replayPtu,
  type MinuteLoad,
} from '../src/analytics/recommend/index.js';

const { values } = parseArgs({ options: { db: { type: 'string' }, runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function timed<T>(label: string, runs: number, fn: () => T | Promise<T>): Promise<T> {
  const ms: number[] = [];
  let out!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    out = await fn();
    ms.push(performance.now() - t0);
  }
  console.log(
    `${label.padEnd(58)} median ${median(ms).toFixed(0).padStart(6)} ms  (min ${Math.min(...ms).toFixed(0)}, ${runs} runs)`,
  );
  return out;
}

// 60 days of minutes, a business-hours shape with noise (deterministic LCG), every minute loaded.
let seed = 42;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const minutes: MinuteLoad[] = Array.from({ length: 60 * 1440 }, (_, i) => {
  const hour = Math.floor(i / 60) % 24;
  const busy = hour >= 7 && hour < 21 ? 1 : 0.15;
  return {
    uncached: Math.round(40_000 * busy * (0.5 + rnd())),
    cached: Math.round(10_000 * busy * rnd()),
    output: Math.round(4_000 * busy * (0.5 + rnd())),
  };
});
const spec = {
  inputTpmPerPtu: 3000,
  outputRatio: 4,
  inputNanosPerMTok: 2_000_000_000n,
  cachedNanosPerMTok: 500_000_000n,
  outputNanosPerMTok: 8_000_000_000n,
};
const counts = Array.from({ length: 101 }, (_, i) => i);
await timed('PTU replay: 86,400 minutes × 101 PTU counts (0–100)', RUNS, () =>
  replayPtu(minutes, minutes.length, spec, counts),
);

if (values.db) {
  const store = await openStore({ path: values.db, readOnly: true });
  try {
    const period = (await latestCompleteMonth(store))!;
    const month = monthWindow(period);
    const [span] = await duckdbSql(store).query(
      'SELECT epoch_ms(min(start_time)) AS lo, epoch_ms(max(start_time)) AS hi FROM usage_events',
    );
    const all = { from: new Date(Number(span!['lo'])), to: new Date(Number(span!['hi']) + 1) };
    const days = ((all.to.getTime() - all.from.getTime()) / 86_400_000).toFixed(0);
    const res = await timed(`recommend (load + rules), month ${period}`, 3, async () =>
      recommend(await loadRecommendInputs(store, month)),
    );
    console.log(
      `  ${res.recommendations.length} recommendations, ${res.recommendations.map((r) => r.kind).join(', ')}`,
    );
    await timed(`recommend (load + rules), all ${days} days`, 3, async () =>
      recommend(await loadRecommendInputs(store, all)),
    );
  } finally {
    await store.close();
  }
}
