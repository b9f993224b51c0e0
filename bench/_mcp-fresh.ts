/**
 * Argument sets for the "first-time, new arguments" mode of `bench:mcp` (BENCH_MODE=fresh): per tool, calls
 * whose arguments were never asked before in the run (other months, windows, scopes, horizons, groupings), so
 * no answer can come from any cache or memo keyed by arguments. `end` is the demo's last event day.
 */
export function freshBenchCalls(end: Date, n: number): [string, Record<string, unknown>[]][] {
  const day = (back: number) => new Date(end.getTime() - back * 86_400_000).toISOString().slice(0, 10);
  const month = (back: number) =>
    new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - back, 1)).toISOString().slice(0, 7);
  const months = [1, 2, 0, 3].map(month);
  const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length]!;
  const win = (i: number) => ({ from: day(35 + 3 * i), to: day(4 + 2 * i) });
  const teams = ['support', 'search', 'engineering', 'marketing', 'commerce', 'claims', 'platform'];
  const columns = ['x_AiModel', 'ServiceName', 'x_Team', 'ResourceName', 'RegionName', 'x_App'];
  const models = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'gpt-4.1-mini', 'o4-mini', 'text-embedding-3-small'];
  const range = (f: (i: number) => Record<string, unknown>) => Array.from({ length: n }, (_, i) => f(i));
  return [
    ['get_dimensions', range(win)],
    ['get_costs', range((i) => ({ ...win(i), by: [pick(columns, i)] }))],
    ['get_budgets', range((i) => ({ at: day(1 + 5 * i) }))],
    ['get_anomalies', range(win)],
    [
      'get_forecast',
      range((i) => ({ horizon: 20 + i, ...(i % 2 ? { scope: `team=${pick(teams, i)}` } : {}) })),
    ],
    ['get_recommendations', range((i) => ({ period: pick(months, i) }))],
    [
      'get_chargeback',
      range((i) => ({ period: pick(months, i), by: pick(['team', 'app', 'environment'], i) })),
    ],
    ['get_unit_economics', range((i) => ({ period: pick(months, i), by: pick(['app', 'team'], i) }))],
    ['explain_change', range((i) => ({ period: pick(months, i), by: pick(['team', 'app'], i) }))],
    [
      'get_prices',
      range((i) => ({ model: pick(models, i), estimate: { inputTokens: 1e6 + i, outputTokens: 1e5 } })),
    ],
    [
      'run_sql',
      range((i) => ({
        query: `SELECT team, count(*) AS n FROM usage_events WHERE cost_nanos > ${i} GROUP BY team`,
      })),
    ],
  ];
}
