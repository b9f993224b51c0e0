/**
 * `tally forecast --series F.csv --horizon H [--season S] [--explain]`: p10/p50/p90 forecasts for each series in a
 * CSV (or daily spend from the store), each by the candidate model that backtested best; `--explain` prints the
 * candidates' backtest scores (always present in `--json` as `backtest`).
 */
import { readFileSync } from 'node:fs';
import { TallyError, nanosToDecimalString, nanosToUsd, parseUtc } from '../../core/index.js';
import {
  allocationSettings,
  BasisCache,
  dailySpendOnBasis,
  configHolidays,
  forecastSplit,
  FORECAST_HISTORY_DAYS,
  MIN_ORIGINS,
  DUPLICATE_RULES,
  parseSeriesCsv,
  type DuplicateRule,
  type SeriesForecast,
  type SpendScope,
} from '../../analytics/index.js';
import { defineCommand, type CommandContext, type WithOptions } from '../command.js';
import { BASIS_OPTIONS, basisOptions } from './_allocation-report.js';
import { defaultThreads, runSeriesFile } from './_series-pool.js';

/** `--threads`: threads for many-series runs (ADR 0054); shared by forecast and anomalies. */
export const THREADS_OPTION = {
  type: 'string',
  description: 'threads for a file of many series (default: the cores available, at most 4; 1 = no workers)',
} as const;

/** The `--threads` value (a whole number from 1 to 64), or the default when absent. */
export function threadsOption(ctx: Pick<CommandContext<{ threads: typeof THREADS_OPTION }>, 'num'>): number {
  return ctx.num('threads', { integer: true, min: 1, max: 64 }) ?? defaultThreads();
}

/** `--duplicates`: what rows that share a timestamp become (ADR 0044); shared by forecast and anomalies. */
export const DUPLICATES_OPTION = {
  type: 'string',
  description:
    'rows sharing a timestamp: sum, mean, last, or auto (default: sum when most timestamps repeat, else mean)',
} as const;

/** The `--duplicates` value, checked. */
export function duplicatesRule(text: string | undefined): DuplicateRule {
  if (text === undefined) return 'auto';
  if (!(DUPLICATE_RULES as readonly string[]).includes(text))
    throw new TallyError('invalid_input', `--duplicates: "${text}" is not sum, mean, last or auto`, {
      field: 'duplicates',
    });
  return text as DuplicateRule;
}

/** A series CSV file's text, with a clear error when it is missing. */
export function readSeriesText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new TallyError('invalid_input', `--series: cannot read ${path}`, { file: path });
  }
}

export const forecastCommand = defineCommand({
  options: {
    series: {
      type: 'string',
      description: 'CSV with timestamp,value (or ds,y) or series_id,timestamp,value',
    },
    duplicates: DUPLICATES_OPTION,
    threads: THREADS_OPTION,
    horizon: { type: 'string', description: 'steps to forecast', default: '7' },
    season: {
      type: 'string',
      description: 'season in steps (default: the calendar day and week that the history covers; 1 = none)',
    },
    holidays: {
      type: 'string',
      description:
        'holiday dates, comma-separated (YYYY-MM-DD,...); store mode adds them to reporting.holidays',
    },
    explain: {
      type: 'boolean',
      description: 'print each candidate model with its backtest MASE, sMAPE and coverage',
    },
    linear: {
      type: 'boolean',
      description: 'also backtest the learned linear candidate (NLinear; off by default, ADR 0050)',
    },
    scope: { type: 'string', description: 'store mode: all (default) or dimension=value, e.g. team=search' },
    history: {
      type: 'string',
      description: 'store mode: days of history to learn from',
      default: String(FORECAST_HISTORY_DAYS),
    },
    to: { type: 'string', description: 'store mode: end of history, exclusive (YYYY-MM-DD; default today)' },
    ...BASIS_OPTIONS,
  },
  async run(ctx) {
    const file = ctx.str('series');
    const horizon = ctx.num('horizon', { min: 1, integer: true }) ?? 7;
    const seasonOpt = ctx.num('season', { min: 1, integer: true });
    const holidays = parseHolidays(ctx.str('holidays'));
    // Without --series, forecast spend in the store (--db, TALLY_DB or the default .tally/tally.duckdb): the cost
    // basis chargeback uses, committed schedule plus variable forecast.
    if (!file) return storeForecast(ctx, horizon, holidays);
    const duplicates = duplicatesRule(ctx.str('duplicates'));
    const threads = threadsOption(ctx);
    const options = {
      horizon,
      ...(seasonOpt ? { season: seasonOpt } : {}),
      holidays,
      linear: ctx.flag('linear'),
    };
    const text = readSeriesText(file);
    const read = (t: string) => parseSeriesCsv(t, file, duplicates);
    const series = await runSeriesFile('forecast', text, read, options, threads);
    if (ctx.json) {
      ctx.out.json({ series });
      return;
    }
    for (const s of series) {
      ctx.out.line(`${s.id}: seasons ${s.seasons.join(', ') || 'none'}, model ${s.model}`);
      if (ctx.flag('explain')) explain(ctx.out.line.bind(ctx.out), s.backtest, s.shortHistory);
      ctx.out.table(s.points);
      ctx.out.line(
        `total p10 ${s.total.p10.toFixed(2)}  p50 ${s.total.p50.toFixed(2)}  p90 ${s.total.p90.toFixed(2)}`,
      );
    }
  },
});

/** The backtest as lines: each candidate's scores, the winner marked. */
function explain(
  line: (text: string) => void,
  b: SeriesForecast['backtest'],
  short?: SeriesForecast['shortHistory'],
): void {
  if (short) {
    const season = short.season > 1 ? `the last cycles' shape of a ${short.season}-step season` : 'no season';
    line(
      `  short history: ${b ? `${b.origins} backtest origin(s), fewer than ${MIN_ORIGINS}` : 'too short for a backtest'}; ` +
        `level by exponential smoothing (alpha ${short.alpha}) with ${season}` +
        (short.blend ? `, averaged ${short.blend}:${1 - short.blend} with the backtest's choice below` : ''),
    );
  }
  if (!b) return;
  line(
    `  backtest: ${b.origins} rolling origins, ${b.horizon} steps ahead each; seasonal naive unless beaten by 5% in MASE, else the three best weighted by 1/MASE^2`,
  );
  line('  model           MASE    sMAPE%  80% coverage');
  for (const c of b.candidates)
    line(
      `  ${c.model.padEnd(15)} ${c.mase.toFixed(3).padStart(6)}  ${c.smape.toFixed(2).padStart(6)}  ${
        Number.isNaN(c.coverage80) ? '   n/a' : c.coverage80.toFixed(2).padStart(6)
      }${c.model === b.winner ? '  <- chosen' : ''}`,
    );
  if (b.winner === 'combination')
    line(
      `  combination = ${b.members.map((m, i) => `${(b.weights[i] ?? 0).toFixed(2)} x ${m}`).join(' + ')}`,
    );
}

/** Spend (USD) of the days of `today`'s month before today. */
function monthToDate(total: ReadonlyMap<number, bigint>, today: number): number {
  const d = new Date(today);
  const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  let sum = 0n;
  for (const [day, n] of total) if (day >= first && day < today) sum += n;
  return nanosToUsd(sum);
}

/** `--holidays 2026-12-25,2027-01-01` as epoch ms. */
function parseHolidays(text: string | undefined): number[] {
  if (!text) return [];
  return text.split(',').map((d) => parseUtc(d.trim(), 'holidays').getTime());
}

const SCOPES = ['team', 'app', 'model', 'key', 'cost_center'] as const;
const DAY = 86_400_000;

/** The scope a store forecast is for (a team-scoped caller forecasts one of its teams, never the organisation). */
function storeScope(ctx: WithOptions<'scope'>): { text: string; kind: SpendScope; value: string | null } {
  const teams = ctx.scope?.teams;
  const text = ctx.str('scope') ?? (teams?.length === 1 ? `team=${teams[0]}` : 'all');
  if (teams && !teams.some((t) => text === `team=${t}`))
    throw new TallyError(
      'forbidden',
      `a team-scoped token forecasts its teams: give scope=team=<${teams.join('|')}>`,
      { field: 'scope' },
    );
  const [kind, value] = text === 'all' ? ['all', null] : text.split('=', 2);
  if (kind !== 'all' && (!(SCOPES as readonly string[]).includes(kind ?? '') || !value))
    throw new TallyError(
      'invalid_input',
      `--scope: "${text}" is not all or one of ${SCOPES.join('|')}=VALUE`,
      {
        field: 'scope',
      },
    );
  return { text, kind: kind as SpendScope, value: value ?? null };
}

/** Daily spend of one scope on the cost basis, forecast as committed schedule plus variable usage. */
async function storeForecast(
  ctx: WithOptions<'scope' | 'history' | 'to' | 'basis' | 'metric', 'explain'>,
  horizon: number,
  extraHolidays: readonly number[],
): Promise<void> {
  const scope = storeScope(ctx);
  const on = basisOptions(ctx);
  const days = ctx.num('history', { min: 1, integer: true }) ?? FORECAST_HISTORY_DAYS;
  const toText = ctx.str('to');
  const today = Math.floor((toText ? parseUtc(toText, 'to').getTime() : Date.now()) / DAY) * DAY;
  const from = today - days * DAY;
  const store = await ctx.openStore({ readOnly: true });
  const settings = allocationSettings(ctx.config());
  const daily = await dailySpendOnBasis(store, scope.kind, scope.value, new Date(from), new Date(today), {
    settings,
    cache: new BasisCache(ctx.memo),
    ...on,
  });
  if (daily.total.size === 0)
    throw new TallyError('not_found', `no spend for ${scope.text} in the last ${days} days`, {
      field: 'scope',
    });
  const through = daily.info.exportThrough;
  const historyFrom = Math.min(...daily.total.keys());
  // The organisation's holidays (reporting.holidays), and any --holidays given for this run, as UTC days.
  const holidays = [
    ...new Set([...configHolidays(ctx.config()), ...extraHolidays].map((t) => Math.floor(t / DAY) * DAY)),
  ];
  const f = forecastSplit(
    {
      total: daily.total,
      committed: daily.committed,
      commitment: daily.commitment,
      historyFrom,
      today,
      exportEnd: through ? Date.parse(`${through}T00:00:00Z`) + DAY : null,
    },
    today,
    horizon,
    undefined,
    holidays,
  );
  const doc = {
    series: [
      {
        id: scope.text,
        season: f.season,
        model: f.tier,
        tier: f.tier,
        points: f.points.map((p) => ({
          timestamp: new Date(p.day).toISOString().slice(0, 10),
          p10: p.p10,
          p50: p.p50,
          p90: p.p90,
          committed: p.committed,
        })),
        total: f.total,
        committedUsd: f.committedUsd,
        // The committed part's interval: zero width when its schedule held at every backtest origin (`schedule`).
        committed: f.committed,
        variable: f.variable,
        // History days the export has not billed yet still owe their committed cost.
        pendingCommittedUsd: f.pendingCommittedUsd,
        // The variable part's rolling-origin backtest (what `--explain` prints), as `--series` reports it.
        backtest: f.backtest,
        ...(f.shortHistory ? { shortHistory: f.shortHistory } : {}),
      },
    ],
    // Every amount of the document is in this currency (reporting.currency; the `...Usd` names predate it).
    currency: settings.currency ?? 'USD',
    basis: daily.info.basis,
    metric: daily.info.metric,
    exportThrough: through,
    ledgerFilledUsd: nanosToUsd(daily.ledgerFilledNanos),
    // Spend of this month before today on the same basis: with a horizon to the month's end, this plus the
    // forecast total is the month's forecast, as `budgets status` computes it.
    monthToDateUsd: monthToDate(daily.total, today),
    // The history the forecast was made from, on the same basis and in the same currency (exact decimal text),
    // so a chart draws actuals and forecast on one scale.
    history: [...daily.total]
      .sort(([a], [b]) => a - b)
      .map(([day, n]) => ({
        timestamp: new Date(day).toISOString().slice(0, 10),
        value: nanosToDecimalString(n),
      })),
  };
  if (ctx.json) {
    ctx.out.json(doc);
    return;
  }
  const s = doc.series[0]!;
  ctx.out.line(
    `${s.id}: ${doc.basis} basis (${doc.metric}${through ? `, export through ${through}` : ''}), season ${s.season}, model ${s.tier}`,
  );
  if (ctx.flag('explain')) {
    const c = f.committed;
    ctx.out.line(
      `  committed cost: ${s.committedUsd.toFixed(2)} ${doc.currency} over the ${s.points.length} days by the schedule of the last billed days; ` +
        (c.source === 'schedule'
          ? `it matched the bill at all ${c.origins} backtest origins (no band)`
          : c.source === 'backtest'
            ? `band from its errors at ${c.origins} backtest origins`
            : 'too little billed history to check it (no band)'),
    );
    const past = holidays.filter((t) => t >= historyFrom && t < today).length;
    const ahead = holidays
      .filter((t) => t >= today && t < today + horizon * DAY)
      .map((t) => new Date(t).toISOString().slice(0, 10));
    if (past || ahead.length)
      ctx.out.line(
        `  holidays: ${past} in the history give their effect to ${ahead.length ? ahead.join(', ') : 'none in the horizon'}`,
      );
    ctx.out.line(`  variable cost (usage), forecast from ${doc.history.length} days of history:`);
    explain(ctx.out.line.bind(ctx.out), s.backtest, s.shortHistory);
  }
  ctx.out.table(s.points);
  ctx.out.line(
    `total p10 ${s.total.p10.toFixed(2)}  p50 ${s.total.p50.toFixed(2)}  p90 ${s.total.p90.toFixed(2)} (committed ${s.committedUsd.toFixed(2)}) ${doc.currency}`,
  );
}
