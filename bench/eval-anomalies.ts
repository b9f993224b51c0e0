/**
 * `npm run eval:anomalies`: event-level precision, recall, F1 and detection delay of the detector exactly as
 * `tally anomalies --series F.csv` runs it (season detected online, calendar-anchored, default threshold).
 * 1. Public data: NAB's artificial series from ../shared/data/eval/nab-artificial (read in place, skipped when
 *    absent, never copied). The series are split in two by name (alternately, within the labelled and the
 *    unlabelled ones): the threshold is tuned on the first part only and both the default and the tuned
 *    threshold are reported on the second. Windows exactly as labelled; NAB's probationary period is not
 *    excluded (an alarm there counts as false).
 * 2. NAB's real series, when a NAB-layout directory is given (`NAB_DIR=DIR` or `--nab DIR`: labels/
 *    combined_windows.json and data/<category>/<file>.csv, kept outside the repository): split by file, tuned on one
 *    part, reported on the other at the default and the tuned threshold, per category and overall (ADR 0039); every
 *    file is also scored at the default threshold, overall and per category (for a clean hold-out directory).
 * 3. Unlabelled public series (../shared/data/forecast-example): alarms per 1,000 points at default settings.
 * 4. The synthetic suite with several seeds, as a smoke test (same scoring, exact windows).
 * Usage: node --import tsx bench/eval-anomalies.ts [--nab DIR] [syntheticSeriesPerSeed=200]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_DEFAULTS, detectEvents } from '../src/analytics/anomalies/index.js';
import { parseSeriesCsv } from '../src/analytics/_series/index.js';
import { generateSuite } from './_suite.js';
import { scoreEvents, summarise, type EventCounts } from './_event-score.js';
import { loadNabDir, type Labelled } from './_nab.js';

const NAB = join(import.meta.dirname, '..', '..', 'shared', 'data', 'eval', 'nab-artificial');
// NAB's real series: a NAB-layout directory outside the repository (`NAB_DIR=... ` or `--nab DIR`).
const flagAt = process.argv.indexOf('--nab');
const NAB_REAL = flagAt > 0 ? process.argv[flagAt + 1] : process.env['NAB_DIR'];
const loadNab = () => loadNabDir(NAB, (name) => name.startsWith('artificial'));

/** Alarm indices as the CLI computes them (one per event; season detected online, calendar phase). */
function flag(s: Pick<Labelled, 'values' | 'timestamps' | 'stepMs'>, threshold?: number): number[] {
  return detectEvents(s.values, {
    stepMs: s.stepMs,
    timestamps: s.timestamps,
    ...(threshold !== undefined ? { threshold } : {}),
  })
    .filter((p) => p.alarm)
    .map((p) => p.index);
}

function evaluate(series: readonly Labelled[], threshold?: number) {
  const counts: EventCounts[] = [];
  const perSeries: Record<string, { detected: number; events: number; falseAlarms: number }> = {};
  for (const s of series) {
    const c = scoreEvents(flag(s, threshold), s.windows);
    counts.push(c);
    perSeries[s.name.split('/')[1] ?? s.name] = {
      events: c.events,
      detected: c.detected,
      falseAlarms: c.falseAlarms,
    };
  }
  return { ...summarise(counts), perSeries };
}

const report: Record<string, unknown> = {};
const nab = loadNab();
if (!nab) report['public'] = 'skipped: ../shared/data/eval/nab-artificial not found';
else {
  // Alternate by name within the labelled and the unlabelled series: half of each kind in each part.
  const labelled = nab.filter((s) => s.windows.length > 0);
  const clean = nab.filter((s) => s.windows.length === 0);
  const tune = [...labelled.filter((_, i) => i % 2 === 0), ...clean.filter((_, i) => i % 2 === 0)];
  const held = [...labelled.filter((_, i) => i % 2 === 1), ...clean.filter((_, i) => i % 2 === 1)];
  const grid = [3, 4, 5, 6, 7, 8];
  const tuning = grid.map((t) => ({ threshold: t, ...evaluate(tune, t) }));
  const best = [...tuning].sort((a, b) => b.f1 - a.f1 || a.falseAlarms - b.falseAlarms)[0]!;
  report['public'] = {
    data: 'NAB artificial (5-minute), windows as labelled',
    tunePart: tune.map((s) => s.name),
    heldOutPart: held.map((s) => s.name),
    tuning: tuning.map(({ perSeries: _p, ...t }) => t),
    tunedThreshold: best.threshold,
    heldOutAtDefault: { threshold: EVENT_DEFAULTS.threshold, ...evaluate(held) },
    heldOutAtTuned: { threshold: best.threshold, ...evaluate(held, best.threshold) },
    allAtDefault: (({ perSeries: _p, ...r }) => r)(evaluate(nab)),
  };
}

// NAB's real series (when a NAB-layout directory is given): split by file, alternately in name order (so the
// categories interleave and each part mixes them); the threshold is tuned on the tune part only, and the report
// part is scored at the default and at the tuned threshold, per category and overall.
if (NAB_REAL) {
  const real = loadNabDir(NAB_REAL, (name) => !name.startsWith('artificial'));
  if (!real?.length) report['real'] = `skipped: no labelled real series under ${NAB_REAL}`;
  else {
    const tune = real.filter((_, i) => i % 2 === 0);
    const held = real.filter((_, i) => i % 2 === 1);
    const grid = [4, 5, 6, 7, 8, 9, 10, 12];
    const tuning = grid.map((t) => ({ threshold: t, ...evaluate(tune, t) }));
    const best = [...tuning].sort((a, b) => b.f1 - a.f1 || a.falseAlarms - b.falseAlarms)[0]!;
    const byCategory = (series: readonly Labelled[], threshold?: number) =>
      Object.fromEntries(
        [...new Set(series.map((s) => s.category))].map((c) => {
          const { perSeries: _p, ...r } = evaluate(
            series.filter((s) => s.category === c),
            threshold,
          );
          return [c, r];
        }),
      );
    report['real'] = {
      data: `NAB real series under ${NAB_REAL}, windows as labelled`,
      tunePart: tune.map((s) => s.name),
      reportPart: held.map((s) => s.name),
      tuning: tuning.map(({ perSeries: _p, ...t }) => t),
      tunedThreshold: best.threshold,
      reportAtDefault: { threshold: EVENT_DEFAULTS.threshold, ...evaluate(held) },
      reportByCategoryAtDefault: byCategory(held),
      reportAtTuned: { threshold: best.threshold, ...evaluate(held, best.threshold) },
      allAtDefault: evaluate(real),
      // Every file at the default threshold, per category: the figures for a directory never used for tuning.
      allByCategoryAtDefault: byCategory(real),
    };
  }
}

// Unlabelled public series (Prophet's examples): no windows, so only how often the detector speaks at default
// settings (alarms per series and per 1,000 points) and how long it takes.
const EXAMPLES = join(import.meta.dirname, '..', '..', 'shared', 'data', 'forecast-example');
const examples = [
  'example_yosemite_temps.csv',
  'example_wp_log_peyton_manning.csv',
  'example_wp_log_R_outliers1.csv',
  'example_retail_sales.csv',
].filter((f) => existsSync(join(EXAMPLES, f)));
report['unlabelled'] = examples.length
  ? examples.map((f) => {
      const [s] = parseSeriesCsv(readFileSync(join(EXAMPLES, f), 'utf8'), f);
      const started = performance.now();
      const alarms = flag(s!).length;
      const ms = performance.now() - started;
      return {
        series: f,
        points: s!.values.length,
        alarms,
        per1000Points: +((1000 * alarms) / s!.values.length).toFixed(2),
        ms: Math.round(ms),
      };
    })
  : 'skipped: ../shared/data/forecast-example not found';

const perSeed = Number(
  process.argv.slice(2).find((a, i, all) => /^\d+$/.test(a) && all[i - 1] !== '--nab') ?? 200,
);
// Recall by planted kind and granularity, over all seeds ("day:drift": found / planted).
const byKind: Record<string, { found: number; planted: number }> = {};
const synthetic = [11, 12, 13].map((seed) => {
  const generated = generateSuite(perSeed, seed);
  const suite = generated.map((s) => {
    const stepMs = s.granularity === 'day' ? 86_400_000 : 3_600_000;
    return {
      name: `seed${seed}`,
      category: 'synthetic',
      values: s.values,
      timestamps: s.values.map((_, i) => i * stepMs),
      stepMs,
      windows: s.label ? [{ from: s.label.start, to: s.label.end }] : [],
    };
  });
  suite.forEach((s, i) => {
    const label = generated[i]!.label;
    if (!label) return;
    const key = `${generated[i]!.granularity}:${label.kind}`;
    const k = (byKind[key] ??= { found: 0, planted: 0 });
    k.planted++;
    if (flag(s).some((j) => j >= label.start && j <= label.end)) k.found++;
  });
  const { perSeries: _p, ...r } = evaluate(suite);
  return { seed, series: suite.length, ...r };
});
report['synthetic'] = synthetic;
report['syntheticRecallByKind'] = Object.fromEntries(
  Object.entries(byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => [k, `${v.found}/${v.planted}`]),
);
console.log(JSON.stringify(report, null, 2));
