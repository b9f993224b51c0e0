/**
 * `npm run bench:mcp-serve`: each MCP tool through a running `tally serve` (`POST /mcp`, the official SDK client,
 * as the local admin through the owner's secret): the first call after the scheduled pass and the answers
 * computed ahead (what an assistant's first question meets), BENCH_REPEAT calls after it, and one call right
 * after a write once the server has re-warmed. Env: BENCH_DB (a built demo store, copied first; required),
 * BENCH_REPEAT (5); BENCH_EXPORT (the demo's FOCUS export): last, today's month ingested through the server and
 * each tool asked a new question right after it.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mcpBenchCalls } from './_mcp-calls.js';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { runCli, startServeCli } from '../test/cli.js';
import { freshBenchCalls } from './_mcp-fresh.js';

const REPEAT = Number(process.env['BENCH_REPEAT'] ?? 5);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const source = process.env['BENCH_DB'];
if (!source) throw new Error('set BENCH_DB to a built demo store');
const dir = mkdtempSync(join(tmpdir(), 'tally-bench-mcp-serve-'));
const db = join(dir, 't.duckdb');
copyFileSync(source, db);
const srv = await startServeCli(db);
try {
  // Wait for the first pass and the answers it computes ahead (the worker says so on stderr).
  for (let i = 0; i < 1200 && !/answers computed ahead/.test(srv.stderr()); i++) await sleep(500);
  console.log(srv.stderr().trim());
  const { secret } = JSON.parse(readFileSync(`${db}.server.json`, 'utf8')) as { secret: string };
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${secret}`, 'x-tally-actor': 'bench' } },
    }),
  );
  const month = (back: number) => {
    const d = new Date();
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1)).toISOString().slice(0, 7);
  };
  const P = month(1);
  const win = { from: `${P}-01`, to: `${month(0)}-01` };
  const calls = mcpBenchCalls(win, P);
  const timed = async (name: string, args: Record<string, unknown>) => {
    const t = performance.now();
    const r = await client.callTool({ name, arguments: args }, undefined, { timeout: 600_000 });
    if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.content)}`);
    return performance.now() - t;
  };
  console.log(`load average before: ${load()}`);
  const rows: string[] = [];
  for (const [name, args] of calls) {
    const first = await timed(name, args);
    const ms: number[] = [];
    for (let i = 0; i < REPEAT; i++) ms.push(await timed(name, args));
    ms.sort((a, b) => a - b);
    rows.push(
      `| \`${name}\` | ${first.toFixed(0)} | ${ms[Math.floor((ms.length - 1) / 2)]!.toFixed(0)} | ${ms.at(-1)!.toFixed(0)} |`,
    );
  }
  // A write through the server (a forwarded CLI command) clears the cache; the worker re-warms what was asked.
  const w = performance.now();
  await runCli(['budgets', 'status', '--db', db, '--json']);
  const afterWrite: string[] = [];
  await sleep(1_500);
  for (let i = 0; i < 600; i++) {
    // Re-warm done when the slowest tool answers fast again.
    const t = await timed('get_recommendations', { period: P });
    if (t < 300) break;
    await sleep(1000);
  }
  const rewarmed = performance.now() - w;
  for (const [name, args] of calls) afterWrite.push((await timed(name, args)).toFixed(0));
  console.log('| tool | first call ms | then p50 ms | then max ms | after a write, re-warmed ms |');
  console.log('|---|---|---|---|---|');
  rows.forEach((r, i) => console.log(`${r} ${afterWrite[i]} |`));
  console.log(
    `re-warmed within ${(rewarmed / 1000).toFixed(1)} s of the write; load average after: ${load()}`,
  );
  if (process.env['BENCH_EXPORT']) {
    // BENCH_EXPORT (the demo's FOCUS export): today's month-to-date export lands through the server (a forwarded
    // `tally ingest`), then each tool is asked a question it was never asked, at once (no re-warm can help).
    const m = new Date().toISOString().slice(0, 7);
    const lines = readFileSync(process.env['BENCH_EXPORT'], 'utf8').split('\n');
    const [first, ...rest] = lines.filter((l) => l.includes(`,${m}-01T00:00:00Z,Usage,`));
    const file = join(dir, 'today.csv');
    writeFileSync(
      file,
      [lines[0], first!.replace(' Tokens,', ' Tokens (bench),'), ...rest].join('\n') + '\n',
    );
    const t = performance.now();
    const ing = await runCli(['ingest', file, '--db', db, '--json']);
    if (ing.code !== 0) throw new Error(ing.stderr);
    console.log(`ingest through the server: ${(performance.now() - t).toFixed(0)} ms`);
    const today = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
    const fresh: string[] = [];
    for (const [name, argsList] of freshBenchCalls(today, 1))
      fresh.push(`\`${name}\` ${(await timed(name, argsList[0]!)).toFixed(0)}`);
    console.log(`first-time questions right after the ingest, ms: ${fresh.join(', ')}; load ${load()}`);
  }
  await client.close();
} finally {
  await srv.stop();
  rmSync(dir, { recursive: true, force: true });
}
