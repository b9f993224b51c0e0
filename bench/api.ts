/**
 * `npm run bench:api`: latency of every API report on the demo store through a running `tally serve` (warm:
 * each endpoint is called once before it is measured), sequential requests, p50/p95/max per endpoint.
 * Env: BENCH_DB (a built demo store; default: build a 90-day demo in a temp dir), BENCH_REPEAT (default 20).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startServeCli } from '../test/cli.js';

const REPEAT = Number(process.env['BENCH_REPEAT'] ?? 20);

function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const dir = mkdtempSync(join(tmpdir(), 'tally-bench-api-'));
try {
  const db = join(dir, 't.duckdb');
  if (process.env['BENCH_DB']) copyFileSync(process.env['BENCH_DB'], db);
  else await runCli(['demo', '--db', db, '--skip-analyses', '--json'], { timeoutMs: 600_000 });
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const today = new Date();
  const monthStart = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
  const last = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 1));
  const P = day(last).slice(0, 7);
  const srv = await startServeCli(db);
  try {
    const admin = (
      await runCli(['users', 'create', '--db', db, '--name', 'bench', '--role', 'admin', '--json'])
    ).json<{ token: string }>();
    const lead = (
      await runCli([
        'users',
        'create',
        '--db',
        db,
        '--name',
        'lead',
        '--role',
        'team-lead',
        '--team',
        'search',
        '--json',
      ])
    ).json<{ token: string }>();
    const endpoints: [string, string, string][] = [
      [
        'costs by model, last month',
        `/api/v1/costs?from=${P}-01&to=${day(monthStart)}&by=x_AiModel`,
        admin.token,
      ],
      [
        'costs by day and team tag',
        `/api/v1/costs?from=${P}-01&to=${day(monthStart)}&by=ServiceName&granularity=day`,
        admin.token,
      ],
      ['usage by team,app', `/api/v1/usage?from=${P}-01&to=${day(monthStart)}&by=team,app`, admin.token],
      ['chargeback by team', `/api/v1/chargeback?period=${P}&by=team`, admin.token],
      ['chargeback, team-lead', `/api/v1/chargeback?period=${P}&by=team`, lead.token],
      ['reconcile', `/api/v1/reconcile?period=${P}`, admin.token],
      ['budgets', '/api/v1/budgets', admin.token],
      ['forecast, all', '/api/v1/forecast?scope=all&horizon=30', admin.token],
      [
        'anomalies, last 7 days',
        `/api/v1/anomalies?from=${day(new Date(monthStart.getTime() - 7 * 864e5))}&to=${day(monthStart)}`,
        admin.token,
      ],
      ['freshness', '/api/v1/freshness', admin.token],
      ['keys', '/api/v1/keys', admin.token],
    ];
    console.log(
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ${REPEAT} requests per endpoint`,
    );
    console.log('| endpoint | p50 ms | p95 ms | max ms |\n|---|---|---|---|');
    for (const [name, path, token] of endpoints) {
      const call = async () => {
        const t0 = performance.now();
        const res = await fetch(`${srv.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
        return performance.now() - t0;
      };
      await call();
      const times: number[] = [];
      for (let i = 0; i < REPEAT; i++) times.push(await call());
      times.sort((a, b) => a - b);
      console.log(
        `| ${name} | ${pct(times, 50).toFixed(1)} | ${pct(times, 95).toFixed(1)} | ${times.at(-1)!.toFixed(1)} |`,
      );
    }
  } finally {
    await srv.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
