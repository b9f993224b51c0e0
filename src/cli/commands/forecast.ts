/** `tally forecast --series F.csv --horizon H [--season S]`: p10/p50/p90 forecasts for each series in a CSV. */
import { readFileSync } from 'node:fs';
import { TallyError } from '../../core/index.js';
import { detectSeason, parseSeriesCsv, stepAfter, type Series } from '../../analytics/_series/index.js';
import { forecastValues } from '../../analytics/forecast/index.js';
import type { Command } from '../command.js';

/** Formats a timestamp like the input: a date for whole-day steps at midnight, else ISO. */
export function formatTimestamp(ms: number, stepMs: number): string {
  const iso = new Date(ms).toISOString();
  return stepMs % 86_400_000 === 0 && iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** Reads a series CSV file with a clear error when it is missing. */
export function readSeriesFile(path: string): Series[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new TallyError('invalid_input', `--series: cannot read ${path}`, { file: path });
  }
  return parseSeriesCsv(text, path);
}

export const forecastCommand: Command = {
  name: 'forecast',
  summary: 'forecast a series CSV (timestamp,value or series_id,timestamp,value) with p10/p50/p90',
  usage: '--series F.csv --horizon H [--season S] [--json]',
  options: {
    series: {
      type: 'string',
      description: 'CSV with timestamp,value (or ds,y) or series_id,timestamp,value',
    },
    horizon: { type: 'string', description: 'steps to forecast', default: '7' },
    season: { type: 'string', description: 'season in steps (default: detected; 1 = none)' },
  },
  run(ctx) {
    const file = ctx.str('series');
    if (!file) throw new TallyError('invalid_input', 'give --series F.csv', { field: 'series' });
    const horizon = ctx.num('horizon', { min: 1, integer: true }) ?? 7;
    const seasonOpt = ctx.num('season', { min: 1, integer: true });
    const series = readSeriesFile(file).map((s) => {
      const season = seasonOpt ?? detectSeason(s.values, s.stepMs);
      const f = forecastValues(s.values, { horizon, season });
      const last = s.timestamps[s.timestamps.length - 1] ?? 0;
      return {
        id: s.id,
        season,
        tier: f.tier,
        points: f.points.map((p) => ({
          timestamp: formatTimestamp(stepAfter(last, s.stepMs, p.step), s.stepMs),
          p10: p.p10,
          p50: p.p50,
          p90: p.p90,
        })),
        total: f.total,
      };
    });
    if (ctx.json) {
      ctx.out.json({ series });
      return Promise.resolve();
    }
    for (const s of series) {
      ctx.out.line(`${s.id}: season ${s.season}, model ${s.tier}`);
      ctx.out.table(s.points);
      ctx.out.line(
        `total p10 ${s.total.p10.toFixed(2)}  p50 ${s.total.p50.toFixed(2)}  p90 ${s.total.p90.toFixed(2)}`,
      );
    }
    return Promise.resolve();
  },
};
