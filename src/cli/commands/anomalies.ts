/**
 * `tally anomalies`: on a series CSV (`--series F.csv`, every point scored with data up to it only), or on the
 * store (`--db PATH --from D --to D`), every scope of usage and cost exports at day and hour grain, each
 * anomaly with expected vs actual, impact and root cause.
 */
import { TallyError, parseUtc } from '../../core/index.js';
import { type Grain, detectAnomalies, scanStore } from '../../analytics/index.js';
import { defineCommand } from '../command.js';
import { formatTimestamp, readSeriesFile } from './forecast.js';

export const anomaliesCommand = defineCommand({
  options: {
    series: {
      type: 'string',
      description: 'CSV with timestamp,value (or ds,y) or series_id,timestamp,value',
    },
    season: { type: 'string', description: 'season in steps for --series (default: detected)' },
    from: { type: 'string', description: 'window start (YYYY-MM-DD), store mode' },
    to: { type: 'string', description: 'window end, exclusive (YYYY-MM-DD), store mode' },
    grain: { type: 'string', description: 'day, hour or both (store mode)', default: 'both' },
    threshold: { type: 'string', description: 'robust score threshold (default 4)' },
  },
  async run(ctx) {
    const threshold = ctx.num('threshold', { min: 0 });
    const file = ctx.str('series');
    if (file) {
      const seasonOpt = ctx.num('season', { min: 1, integer: true });
      const anomalies = readSeriesFile(file).flatMap((s) => {
        // Without --season the detector finds the season from the data seen so far (no look-ahead).
        return detectAnomalies(s.values, { season: seasonOpt ?? 'auto', stepMs: s.stepMs, threshold })
          .filter((p) => p.anomaly)
          .map((p) => ({
            seriesId: s.id,
            timestamp: formatTimestamp(s.timestamps[p.index]!, s.stepMs),
            actual: p.actual,
            expected: p.expected,
            score: p.score,
            kind: p.kind,
          }));
      });
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
    const cfg = ctx.config().anomalies;
    const store = await ctx.openStore({ readOnly: true });
    const anomalies = await scanStore(store, from, to, {
      threshold: threshold ?? cfg?.threshold,
      minImpactUsd: cfg?.minImpactUsd,
      minImpactPct: cfg?.minImpactPct,
      grains: grainOpt === 'both' ? (cfg?.grains ?? ['day', 'hour']) : [grainOpt as Grain],
    });
    // A team-scoped caller sees the anomalies of its teams' scopes only.
    const scope = ctx.scope?.teams;
    const visible = scope ? anomalies.filter((a) => scope.some((t) => inTeam(a.scope, t))) : anomalies;
    const states = await store.getIncidentStates(visible.map((a) => a.id));
    const withState = visible.map((a) => {
      const s = states.get(a.id);
      return {
        ...a,
        state: s?.state ?? 'new',
        stateBy: s?.changedBy ?? null,
        stateAt: s?.changedAt.toISOString() ?? null,
      };
    });
    if (ctx.json) {
      ctx.out.json({ from: from.toISOString(), to: to.toISOString(), anomalies: withState });
      return;
    }
    ctx.out.table(
      withState.map((a) => ({
        timestamp: a.timestamp,
        state: a.state,
        grain: a.grain,
        source: a.source,
        scope: a.scope,
        kind: a.kind,
        actualUsd: a.actualUsd,
        expectedUsd: a.expectedUsd,
        impactUsd: a.impactUsd,
        rootCause: a.rootCause
          .map((r) => `${r.dimension}=${r.value} (${r.contributionUsd.toFixed(2)})`)
          .join(', '),
      })),
    );
  },
});

/** Whether an anomaly scope (`team=x`, `team=x,app=y`, ...) belongs to a team. */
function inTeam(scope: string, team: string): boolean {
  return scope.split(/[,;]/).some((part) => part.trim() === `team=${team}`);
}
