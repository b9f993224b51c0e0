/**
 * `npm run bench:mcp`: how long each MCP tool takes on the demo store, in-process (the same path as `tally mcp`
 * and the API worker: the tool runs its CLI report on an open store), as the local admin. Each tool is called
 * once to warm up, then BENCH_REPEAT times; p50 and max per tool. The target: under 300 ms each.
 * Env: BENCH_DB (a built demo store, copied first; default: build a 90-day demo in a temp dir), BENCH_REPEAT (5).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../test/cli.js';
import { openStore } from '../src/store/index.js';
import { main } from '../src/cli/index.js';
import { configSchema } from '../src/core/index.js';
import { callTool, type ToolDeps } from '../src/mcp/index.js';

const REPEAT = Number(process.env['BENCH_REPEAT'] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'tally-bench-mcp-'));
try {
  const db = join(dir, 't.duckdb');
  if (process.env['BENCH_DB']) copyFileSync(process.env['BENCH_DB'], db);
  else await runCli(['demo', '--db', db, '--skip-analyses', '--no-serve', '--json'], { timeoutMs: 900_000 });
  const store = await openStore({ path: db });
  const config = configSchema.parse({}); // defaults: no tally.yaml needed
  const deps: ToolDeps = {
    store,
    now: () => new Date(),
    async run(argv, o) {
      let stdout = '';
      const code = await main(argv, {
        store,
        config,
        scope: o.scope,
        actor: o.actor,
        stdout: { write: (t: string) => (stdout += t) },
        stderr: { write: () => true },
      });
      return { code, stdout, stderr: '' };
    },
  };
  const [row] = await store.readOnlySql('SELECT max(start_time) AS t FROM usage_events');
  const end = new Date(String(row?.['t']));
  const month = (back: number) =>
    new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - back, 1)).toISOString().slice(0, 7);
  const P = month(1);
  const win = { from: `${P}-01`, to: `${month(0)}-01` };
  const calls: [string, Record<string, unknown>][] = [
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
  const principal = { kind: 'local', actor: 'cli:bench' } as const;
  console.log(
    `load average before: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log('tool                  p50 ms   max ms   result chars');
  for (const [name, args] of calls) {
    const first = await callTool(deps, principal, name, args, { via: 'mcp' });
    if (!first.ok) throw new Error(`${name}: ${first.text}`);
    const ms: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const t = performance.now();
      await callTool(deps, principal, name, args, { via: 'mcp' });
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    const p50 = ms[Math.floor((ms.length - 1) / 2)]!;
    console.log(
      `${name.padEnd(20)} ${p50.toFixed(0).padStart(7)} ${ms[ms.length - 1]!.toFixed(0).padStart(8)} ${String(first.text.length).padStart(14)}`,
    );
  }
  console.log(
    `load average after: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
