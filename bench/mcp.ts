/**
 * `npm run bench:mcp`: how long each MCP tool takes on the demo store, in-process on the path of the API
 * worker (`POST /mcp`) and `tally mcp`: the tool runs its CLI report on an open store through the report cache,
 * as the local admin. First the scheduled pass runs once, as `tally serve` runs it at start (incidents and
 * precomputed analyses stored). Then per tool: BENCH_REPEAT cold calls (the cache cleared before each, as
 * after any write) and BENCH_REPEAT warm calls (answered from the cache); p50, p95 and max of each. The issue's
 * target: under 300 ms each.
 * Last: how long re-warming every asked answer after a write takes, and seeding after a pass (both off the
 * request path).
 * BENCH_MODE=fresh instead times "first-time, new arguments": per tool BENCH_REPEAT calls right after a write
 * (report cache and closed-months memo cleared), then BENCH_REPEAT calls with other new arguments and no write
 * since (the report cache cleared, the months other questions read kept, as in `tally serve`); wall time and
 * this process's CPU time (JavaScript and DuckDB's threads together) per call. BENCH_TOOLS=a,b limits the
 * tools; BENCH_SKIP_PASS=1 when BENCH_DB had its scheduled pass already; BENCH_TRACE=1 prints each store call.
 * BENCH_WRITE says what "a write" is in fresh mode: unset, the months memo is cleared (every write before ADR
 * 0040); `budget`, a `budgets set`; `ingest`, the current month's rows of BENCH_EXPORT (the demo's FOCUS
 * export) ingested again, one line changed each time, as a daily month-to-date export lands. Both run the way
 * the serve worker runs commands (`runKeepingMonths`), so they forget only the months they change.
 * BENCH_SEED=1 computes the answers `tally serve` computes ahead after each pass before timing.
 * Env: BENCH_DB (a built demo store, copied first; default: build a 90-day demo in a temp dir), BENCH_REPEAT (7).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { mcpBenchCalls } from './_mcp-calls.js';
import { freshBenchCalls } from './_mcp-fresh.js';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../test/cli.js';
import { openStore } from '../src/store/index.js';
import { main } from '../src/cli/index.js';
import { configSchema } from '../src/core/index.js';
import { ReportCache } from '../src/api/index.js';
import { evaluateAlerts } from '../src/alerts/index.js';
import { PeriodMemo } from '../src/analytics/index.js';
import { callTool, seedToolAnswers, type ToolDeps } from '../src/mcp/index.js';
import { runKeepingMonths } from '../src/server/index.js';
import { readFileSync, writeFileSync } from 'node:fs';

const REPEAT = Number(process.env['BENCH_REPEAT'] ?? 7);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const pct = (ms: number[], p: number) => ms[Math.min(ms.length - 1, Math.ceil((p / 100) * ms.length) - 1)]!;
const dir = mkdtempSync(join(tmpdir(), 'tally-bench-mcp-'));
try {
  const db = join(dir, 't.duckdb');
  if (process.env['BENCH_DB']) copyFileSync(process.env['BENCH_DB'], db);
  else await runCli(['demo', '--db', db, '--skip-analyses', '--no-serve', '--json'], { timeoutMs: 900_000 });
  const store = traced(await openStore({ path: db }));
  const config = configSchema.parse({}); // defaults: no tally.yaml needed
  const cache = new ReportCache(30_000, Date.now, { singleWriter: true }); // as the worker on DuckDB
  const memo = new PeriodMemo(); // closed months, as the worker shares them (ADR 0033)
  cache.onClear(() => {
    if (!process.env['BENCH_MODE']) memo.clear(); // a write clears both; fresh mode says which it clears
  });
  const deps: ToolDeps = {
    store,
    cache,
    now: () => new Date(),
    async run(argv, o) {
      let stdout = '';
      const code = await main(argv, {
        store,
        config,
        scope: o.scope,
        actor: o.actor,
        memo,
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
  const passStart = performance.now();
  const passCpu = process.cpuUsage();
  // BENCH_SKIP_PASS=1: BENCH_DB has had its pass already (`tally alerts run`).
  if (!process.env['BENCH_SKIP_PASS']) await evaluateAlerts(store, config, new Date());
  console.log(
    `scheduled pass (off the request path): ${(performance.now() - passStart).toFixed(0)} ms, CPU ` +
      `${((process.cpuUsage(passCpu).user + process.cpuUsage(passCpu).system) / 1000).toFixed(0)} ms; load ${load()}`,
  );
  const calls = mcpBenchCalls(win, P);
  const principal = { kind: 'local', actor: 'cli:bench' } as const;
  if (process.env['BENCH_SEED']) {
    // As `tally serve` after each pass: answers and months computed ahead, off the request path.
    const c = process.cpuUsage();
    const t = performance.now();
    const n = await seedToolAnswers({ ...deps, store }, new Date());
    const d = process.cpuUsage(c);
    console.log(
      `seed after the pass (off the request path): ${n} answers, ${(performance.now() - t).toFixed(0)} ms, ` +
        `CPU ${((d.user + d.system) / 1000).toFixed(0)} ms; months kept ${memo.size}`,
    );
  }
  if (process.env['BENCH_MODE'] === 'fresh') {
    await fresh(deps, principal, end, memo, writer(deps, store, memo, end));
    await store.close();
    process.exit(0);
  }
  console.log(`load average before: ${load()}; ${REPEAT} calls each, cold and warm`);
  console.log(
    '| tool | cold p50 ms | cold p95 ms | cold max ms | warm p50 ms | warm p95 ms | result chars |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, args] of calls) {
    const first = await callTool(deps, principal, name, args, { via: 'mcp' });
    if (!first.ok) throw new Error(`${name}: ${first.text}`);
    const time = async (clear: boolean) => {
      const ms: number[] = [];
      for (let i = 0; i < REPEAT; i++) {
        if (clear) cache.clear();
        const t = performance.now();
        await callTool(deps, principal, name, args, { via: 'mcp' });
        ms.push(performance.now() - t);
      }
      return ms.sort((a, b) => a - b);
    };
    const cold = await time(true);
    const warm = await time(false);
    const f = (n: number) => n.toFixed(0);
    console.log(
      `| \`${name}\` | ${f(pct(cold, 50))} | ${f(pct(cold, 95))} | ${f(cold.at(-1)!)} | ${f(pct(warm, 50))} | ${f(pct(warm, 95))} | ${first.text.length} |`,
    );
  }
  // After a write the worker recomputes the questions asked in the last minutes, off the request path.
  cache.clear();
  let t = performance.now();
  const n = await cache.refresh();
  console.log(`re-warm after a write: ${n} answers recomputed in ${(performance.now() - t).toFixed(0)} ms`);
  cache.clear();
  t = performance.now();
  const seeded = await seedToolAnswers({ ...deps, store }, new Date());
  console.log(`seed after a pass: ${seeded} answers in ${(performance.now() - t).toFixed(0)} ms`);
  console.log(`load average after: ${load()}`);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function fresh(
  deps: ToolDeps,
  principal: { kind: 'local'; actor: string },
  end: Date,
  memo: PeriodMemo,
  write: () => Promise<number>,
): Promise<void> {
  const only = process.env['BENCH_TOOLS']?.split(',');
  const writes: number[] = [];
  console.log(
    `load average before: ${load()}; per tool ${REPEAT} first-time calls right after a write (report cache and ` +
      `months memo cleared), then ${REPEAT} more with other new arguments and no write since (report cache ` +
      'cleared, months kept)',
  );
  console.log(
    '| tool | after a write: wall p50 ms | CPU p50 ms | CPU max ms | no write since: wall p50 ms | CPU p50 ms | CPU max ms |',
  );
  console.log('|---|---|---|---|---|---|---|');
  const f = (n: number) => n.toFixed(0);
  for (const [name, argsList] of freshBenchCalls(end, 2 * REPEAT)) {
    if (only && !only.includes(name)) continue;
    const cells: string[] = [];
    for (const [part, afterWrite] of [
      [argsList.slice(0, REPEAT), true],
      [argsList.slice(REPEAT), false],
    ] as const) {
      const wall: number[] = [];
      const cpu: number[] = [];
      for (const args of part) {
        if (afterWrite) writes.push(await write());
        deps.cache?.clear();
        const c = process.cpuUsage();
        const t = performance.now();
        const r = await callTool(deps, principal, name, args, { via: 'mcp' });
        wall.push(performance.now() - t);
        const d = process.cpuUsage(c);
        cpu.push((d.user + d.system) / 1000);
        if (!r.ok) throw new Error(`${name} ${JSON.stringify(args)}: ${r.text}`);
      }
      wall.sort((a, b) => a - b);
      cpu.sort((a, b) => a - b);
      cells.push(f(pct(wall, 50)), f(pct(cpu, 50)), f(cpu.at(-1)!));
    }
    console.log(`| \`${name}\` | ${cells.join(' | ')} |`);
  }
  console.log(`load average after: ${load()}`);
  writes.sort((a, b) => a - b);
  if (writes.length)
    console.log(
      `write (${process.env['BENCH_WRITE'] ?? 'memo cleared'}): p50 ${pct(writes, 50).toFixed(0)} ms, ` +
        `max ${writes.at(-1)!.toFixed(0)} ms; months kept after the last: ${memo.size}`,
    );
}

/** What "a write" is in fresh mode (BENCH_WRITE); resolves with the write's wall time in ms. */
function writer(deps: ToolDeps, store: Parameters<typeof runKeepingMonths>[1], memo: PeriodMemo, end: Date) {
  const kind = process.env['BENCH_WRITE'];
  let n = 0;
  const month = end.toISOString().slice(0, 7);
  const lines = kind === 'ingest' ? readFileSync(process.env['BENCH_EXPORT']!, 'utf8').split('\n') : [];
  const header = lines[0] ?? '';
  const current = lines.filter((l) => l.includes(`,${month}-01T00:00:00Z,Usage,`));
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-write-'));
  return async (): Promise<number> => {
    n += 1;
    const t = performance.now();
    if (kind === undefined) memo.clear();
    else {
      let argv: string[];
      if (kind === 'budget')
        argv = ['budgets', 'set', '--json', '--scope=team', '--value=search', `--amount=${100 + n}`];
      else {
        const file = join(dir, `export-${n}.csv`);
        const [first, ...rest] = current;
        writeFileSync(
          file,
          [header, first!.replace(' Tokens,', ` Tokens (${n}),`), ...rest].join('\n') + '\n',
        );
        argv = ['ingest', file, '--json'];
      }
      const r = await runKeepingMonths(memo, store, argv, () =>
        deps.run(argv, { scope: null, actor: 'cli:bench' }),
      );
      if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stdout} ${r.stderr}`);
    }
    return performance.now() - t;
  };
}

/** BENCH_TRACE=1: prints each store operation's wall time (where a report's time goes). */
function traced<T extends object>(store: T): T {
  if (!process.env['BENCH_TRACE']) return store;
  return new Proxy(store, {
    get(target, key, recv) {
      const v = Reflect.get(target, key, recv) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const t = performance.now();
        const c = process.cpuUsage();
        const r = (v as (...a: unknown[]) => unknown).apply(target, args);
        const log = () => {
          const d = process.cpuUsage(c);
          const a = JSON.stringify(args).slice(0, 160);
          console.log(
            `  store.${String(key)} ${(performance.now() - t).toFixed(0)} ms cpu ${((d.user + d.system) / 1000).toFixed(0)} ${a}`,
          );
        };
        if (r instanceof Promise) return r.finally(log);
        log();
        return r;
      };
    },
  });
}
