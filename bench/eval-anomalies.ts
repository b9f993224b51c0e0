/**
 * `npm run eval:anomalies`: precision, recall, F1 and detection delay of the default detector on the labelled
 * synthetic suite, twice: with the season detected online (the CLI default without --season) and with the true
 * season given. Flagged points are merged into alarms (runs with gaps of at most two steps); an alarm is a true
 * positive when it overlaps the labelled window extended by one season; an event is detected when a flagged
 * point falls in that window. Delay = first flagged step in the window minus the labelled start.
 * Usage: node --import tsx bench/eval-anomalies.ts [seriesCount=300]
 */
import { detectAnomalies } from '../src/analytics/anomalies/index.js';
import { generateSuite, type LabelledSeries, type PlantedKind } from './_suite.js';

function evaluate(suite: readonly LabelledSeries[], auto: boolean) {
  let tp = 0;
  let fp = 0;
  let detected = 0;
  let events = 0;
  const delays: number[] = [];
  const byKind = new Map<PlantedKind, { n: number; hit: number }>();
  const t0 = performance.now();
  for (const s of suite) {
    const stepMs = s.granularity === 'day' ? 86_400_000 : 3_600_000;
    const scores = detectAnomalies(s.values, auto ? { season: 'auto', stepMs } : { season: s.season });
    const alarms: { from: number; to: number }[] = [];
    for (const p of scores) {
      if (!p.anomaly) continue;
      const last = alarms[alarms.length - 1];
      if (last && p.index - last.to <= 2) last.to = p.index;
      else alarms.push({ from: p.index, to: p.index });
    }
    const win = s.label ? { from: s.label.start, to: s.label.end + s.season } : null;
    for (const a of alarms) {
      if (win && a.to >= win.from && a.from <= win.to) tp++;
      else fp++;
    }
    if (s.label && win) {
      events++;
      const k = byKind.get(s.label.kind) ?? { n: 0, hit: 0 };
      k.n++;
      const first = scores.find((p) => p.anomaly && p.index >= win.from && p.index <= win.to);
      if (first) {
        detected++;
        k.hit++;
        delays.push(first.index - s.label.start);
      }
      byKind.set(s.label.kind, k);
    }
  }
  const precision = tp / Math.max(1, tp + fp);
  const recall = detected / Math.max(1, events);
  delays.sort((a, b) => a - b);
  return {
    season: auto ? 'detected online (CLI default)' : 'given',
    events,
    alarms: tp + fp,
    precision: +precision.toFixed(3),
    recall: +recall.toFixed(3),
    f1: +((2 * precision * recall) / Math.max(1e-9, precision + recall)).toFixed(3),
    medianDelaySteps: delays[Math.floor(delays.length / 2)] ?? null,
    meanDelaySteps: +(delays.reduce((a, b) => a + b, 0) / Math.max(1, delays.length)).toFixed(2),
    recallByKind: Object.fromEntries([...byKind].map(([k, v]) => [k, +(v.hit / v.n).toFixed(3)])),
    runtimeMs: Math.round(performance.now() - t0),
  };
}

const count = Number(process.argv[2] ?? 300);
const suite = generateSuite(count, 11);
const points = suite.reduce((a, s) => a + s.values.length, 0);
console.log(
  JSON.stringify(
    { series: suite.length, points, results: [evaluate(suite, true), evaluate(suite, false)] },
    null,
    2,
  ),
);
