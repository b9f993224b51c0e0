/** The tool calls both MCP benchmarks time: one per tool, over the last whole month. */
export function mcpBenchCalls(
  win: { from: string; to: string },
  P: string,
): [string, Record<string, unknown>][] {
  return [
    ['get_dimensions', win],
    ['get_costs', { ...win, by: ['x_AiModel'] }],
    ['get_budgets', {}],
    ['get_anomalies', win],
    ['get_forecast', { horizon: 30 }],
    ['get_recommendations', { period: P }],
    ['get_chargeback', { period: P }],
    ['get_unit_economics', { period: P }],
    ['explain_change', { period: P }],
    ['get_prices', { model: 'gpt-4o-mini', estimate: { inputTokens: 1e6, outputTokens: 1e5 } }],
    ['run_sql', { query: 'SELECT team, count(*) AS n FROM usage_events GROUP BY team' }],
  ];
}
