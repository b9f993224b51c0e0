/**
 * `tally anomalies`: on a series CSV (`--series F.csv`, every point scored with data up to it only), or on the
 * store (`--db PATH --from D --to D`): incidents (one per underlying event, every scope it was seen at, the
 * most specific root cause, dollar impact, idle capacity as waste per day, lifecycle state).
 */
import { TallyError, parseUtc } from '../../core/index.js';
import {
  type Grain,
  labelsOwnedBy,
  parseSeriesCsv,
  scanIncidents,
  scanSettings,
  withOwnLabels,
} from '../../analytics/index.js';
import {
  covers,
  incidentTeams,
  readIncidentIndex,
  readStoredIncidents,
  rememberScanned,
  withLifecycle,
} from '../../alerts/index.js';
import type { CostStore } from '../../store/index.js';
import { defineCommand } from '../command.js';
import {
  DUPLICATES_OPTION,
  THREADS_OPTION,
  duplicatesRule,
  readSeriesText,
  threadsOption,
} from './forecast.js';
import { runSeriesFile } from './_series-pool.js';

export const anomaliesCommand = defineCommand({
  options: {
    series: {
      type: 'string',
      description: 'CSV with timestamp,value (or ds,y) or series_id,timestamp,value',
    },
    season: { type: 'string', description: 'season in steps for --series (default: detected)' },
    duplicates: DUPLICATES_OPTION,
    threads: THREADS_OPTION,
    from: { type: 'string', description: 'window start (YYYY-MM-DD), store mode' },
    to: { type: 'string', description: 'window end, exclusive (YYYY-MM-DD), store mode' },
    grain: { type: 'string', description: 'day, hour or both (store mode)', default: 'both' },
    threshold: {
      type: 'string',
      description: 'robust score threshold (default 8 for --series, 4 in store mode)',
    },
    rescan: { type: 'boolean', description: 'scan the store even when the scheduled pass stored incidents' },
  },
  async run(ctx) {
    const threshold = ctx.num('threshold', { min: 0 });
    const file = ctx.str('series');
    if (file) {
      const seasonOpt = ctx.num('season', { min: 1, integer: true });
      // One row per event, at its first detected point; seasons detected online (no look-ahead) unless
      // --season is given, phases from the timestamps (the calendar, across gaps).
      const duplicates = duplicatesRule(ctx.str('duplicates'));
      const threads = threadsOption(ctx);
      const options = {
        ...(seasonOpt !== undefined ? { season: seasonOpt } : {}),
        ...(threshold !== undefined ? { threshold } : {}),
      };
      const text = readSeriesText(file);
      const read = (t: string) => parseSeriesCsv(t, file, duplicates);
      const anomalies = (await runSeriesFile('anomalies', text, read, options, threads)).flat();
      if (ctx.json) ctx.out.json({ anomalies });
      else ctx.out.table(anomalies);
      return;
    }
    const fromText = ctx.str('from');
    const toText = ctx.str('to');
    if (!fromText || !toText)
      throw new TallyError('invalid_input', 'give --series F.csv, or --from D --to D to scan the store', {
        field: 'from',
      });
    const from = parseUtc(fromText, 'from');
    const to = parseUtc(toText, 'to');
    if (from >= to) throw new TallyError('invalid_input', '--from must be before --to', { field: 'from' });
    const grainOpt = ctx.str('grain') ?? 'both';
    if (!['day', 'hour', 'both'].includes(grainOpt))
      throw new TallyError('invalid_input', `--grain: "${grainOpt}" is not day, hour or both`, {
        field: 'grain',
      });
    const config = ctx.config();
    const settings = {
      ...scanSettings(config),
      ...(threshold !== undefined ? { threshold } : {}),
      ...(grainOpt === 'both' ? {} : { grains: [grainOpt as Grain] }),
    };
    const store = await ctx.openStore({ readOnly: true });
    const now = new Date();
    // The scheduled pass (tally serve, tally alerts run) stores incidents: read them when it covered the window
    // and the defaults apply; otherwise scan (warm-up history before --from, seasons on the calendar).
    const index = await readIncidentIndex(store);
    // The last pass may be up to two pass intervals old (a window to the present is then as of that pass).
    const maxAgeMs = 2 * (config.alerts?.intervalSeconds ?? 300) * 1000;
    const useStored =
      !ctx.flag('rescan') &&
      grainOpt === 'both' &&
      threshold === undefined &&
      covers(index, from, to, now, maxAgeMs);
    const views = useStored
      ? await withLifecycle(store, await readStoredIncidents(store, from, to), [])
      : await withLifecycle(
          store,
          await scanIncidents(store, from, to, settings),
          await readStoredIncidents(store, new Date(from.getTime() - 30 * 86_400_000)),
        );
    // A team-scoped caller sees the incidents of its teams only.
    const scope = ctx.scope?.teams;
    const visible = scope ? views.filter((v) => incidentTeams(v).some((t) => scope.includes(t))) : views;
    // A scoped caller (through the server, which owns the store) may act on what a scan showed it.
    if (scope && !useStored) await rememberScanned(store, visible);
    // ... and of an incident it shares with other teams, only the labels that are not another team's.
    const own = scope ? await ownLabels(store, scope) : null;
    const labelled = own
      ? visible.map((v) => withOwnLabels(v, own))
      : visible.map((v) => ({ ...v, rootCauseOutsideScope: false }));
    const incidents = labelled
      .sort((a, b) => b.start.localeCompare(a.start))
      .map((v) => ({
        id: v.id,
        start: v.start,
        end: v.end,
        kind: v.kind,
        severity: v.severity,
        scopes: v.scopes,
        rootCause: v.rootCause,
        // True when part of the root cause is another team's (a scoped caller sees "outside your teams").
        rootCauseOutsideScope: v.rootCauseOutsideScope,
        impactUsd: v.impactUsd.toFixed(2),
        state: v.state,
        stateBy: v.stateBy,
        stateAt: v.stateAt,
        reopened: v.reopened,
        ongoing: v.ongoing,
        wastePerDayUsd: v.wastePerDayUsd === null ? null : v.wastePerDayUsd.toFixed(2),
        totalWasteUsd: v.totalWasteUsd === null ? null : v.totalWasteUsd.toFixed(2),
        impactTokens: v.impactTokens,
        detectedAt: v.detectedAt,
        episodes: v.episodes.length,
      }));
    if (ctx.json) {
      ctx.out.json({
        from: from.toISOString(),
        to: to.toISOString(),
        source: useStored ? 'stored' : 'scan',
        // The data the incidents were found in: up to the last scheduled pass when stored.
        asOf: useStored ? index.coveredTo : now.toISOString(),
        // Every impact and waste amount is in this currency (reporting.currency; the `...Usd` names predate it).
        currency: settings.currency ?? 'USD',
        incidents,
      });
      return;
    }
    ctx.out.table(
      incidents.map((i) => ({
        start: i.start,
        state: i.state,
        severity: i.severity,
        kind: i.kind,
        impactUsd: i.wastePerDayUsd ? `${i.impactUsd} (${i.wastePerDayUsd}/day)` : i.impactUsd,
        rootCause: i.rootCause,
        scopes: i.scopes.length,
      })),
    );
  },
});

/** The labels a team-scoped caller may read: its teams, and the apps and keys its teams' virtual keys name. */
async function ownLabels(store: CostStore, teams: readonly string[]): Promise<Set<string>> {
  return labelsOwnedBy(teams, await store.listKeys());
}
