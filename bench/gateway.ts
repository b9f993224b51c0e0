/**
 * `npm run bench:gateway`: throughput and latency of direct-to-mock, a bare Node pass-through, Tally (keys,
 * metering, limits, durable ledger on) and Portkey's open-source gateway (installed with npm into a temp
 * folder, not a project dependency), all against the same local mock upstream.
 *
 * - Maximum throughput: wrk (C, one thread, 50 connections; autocannon when wrk is not installed), in
 *   BENCH_ROUNDS rounds that take the targets in turn, so a slow spell of the shared machine hits every target
 *   alike; the median round is reported, and Tally's ratio to the bare proxy is the median of per-round ratios.
 * - Latency at a fixed rate: bench/_openloop.ts, an open-loop generator in its own process (requests due at
 *   even intervals, latency from when each was due), also in rounds; medians of the rounds' p50/p99.
 * - Tally's own overhead per request at the fixed rate (its time minus waiting on the mock), from its metrics.
 * - Streamed completions one at a time (BENCH_STREAMS, default 300): time to first byte and to the end.
 * - CPU per request of each server process (all threads) and of Tally's main thread, from /proc.
 * Env: BENCH_SECONDS (default 5), BENCH_ROUNDS (default 3), BENCH_RATE (default 1000), BENCH_SKIP_PORTKEY=1,
 * BENCH_FAST_ACK=1 (also Tally with `gateway.ack: fast`, to price the durable acknowledgement; ADR 0015).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { request } from 'undici';

const HERE = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const RATE = Number(process.env['BENCH_RATE'] ?? 1000);
const children: ChildProcess[] = [];
const WORK = mkdtempSync(join(tmpdir(), 'tally-bench-load-'));

/** CPU time (user + system, all threads) a process has used, ms; null off Linux. Clock ticks are 100 Hz. */
function cpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}

interface Server {
  url: string;
  key?: string;
  /** `serve` only: the API URL and an admin token for the dashboard poller. */
  apiUrl?: string;
  token?: string;
  pid?: number | undefined;
  /** Sends a command line to the server and resolves with its one-line answer. */
  ask(cmd: string): Promise<string>;
}

function startServer(args: string[]): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'gateway-servers.ts'), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  const ask = (cmd: string): Promise<string> =>
    new Promise((ok) => {
      lines.once('line', ok);
      child.stdin!.write(`${cmd}\n`);
    });
  return new Promise((ok, fail) => {
    lines.once('line', (l) => ok({ ...(JSON.parse(l) as Omit<Server, 'pid' | 'ask'>), pid: child.pid, ask }));
    child.once('exit', (c) => fail(new Error(`server ${args[0]} exited ${c}`)));
  });
}

async function startPortkey(
  mockUrl: string,
): Promise<{ url: string; headers: Record<string, string>; pid?: number | undefined } | null> {
  if (process.env['BENCH_SKIP_PORTKEY']) return null;
  const dir = process.env['PORTKEY_DIR'] || mkdtempSync(join(tmpdir(), 'portkey-'));
  const entry = join(dir, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  if (!existsSync(entry)) {
    process.stderr.write(`installing @portkey-ai/gateway into ${dir} ...\n`);
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', dir, '@portkey-ai/gateway'],
      {
        stdio: 'ignore',
      },
    );
  }
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [entry, `--port=${port}`, '--headless'], { stdio: 'ignore' });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/`).then(
      () => true,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid,
    headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${mockUrl}/v1` },
  };
}

const BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Say hello in five words.' }],
  max_tokens: 20,
});

interface Target {
  readonly name: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly pid: number | undefined;
}

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // wrk --version exits 1 after printing its version; only a missing binary is ENOENT.
    return (e as { code?: string }).code !== 'ENOENT';
  }
}
const WRK = hasWrk();

/**
 * A short unmeasured burst right before each measured phase: a server that sat idle while the others were
 * measured (V8 flushes code that has not run for a while) starts its phase warm, as a busy gateway would be.
 */
async function warm(t: Target, seconds = 1): Promise<void> {
  await autocannon({
    url: t.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...t.headers },
    body: BODY,
    connections: 10,
    duration: seconds,
  });
}

/** Maximum throughput over 50 connections: requests/s and requests completed. */

async function maxLoad(t: Target): Promise<{ rps: number; total: number; errors: number }> {
  if (WRK) {
    const lua = join(WORK, 'post.lua');
    writeFileSync(
      lua,
      `wrk.method = "POST"\nwrk.body = ${JSON.stringify(BODY)}\n` +
        Object.entries({ 'content-type': 'application/json', ...t.headers })
          .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}\n`)
          .join(''),
    );
    const out = execFileSync('wrk', ['-t1', '-c50', `-d${SECONDS}s`, '-s', lua, t.url]).toString();
    const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
    const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    const errors = non2xx + (errs ? errs.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
    return { rps: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0)), total, errors };
  }
  const r = await autocannon({
    url: t.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...t.headers },
    body: BODY,
    connections: 50,
    duration: SECONDS,
  });
  return { rps: Math.round(r.requests.average), total: r.requests.total, errors: r.errors + r.non2xx };
}

/** Latency at a fixed rate from the open-loop generator, in its own process. */
function fixedRate(t: Target): { p50: number; p99: number; p999: number; ok: number; errors: number } {
  const bodyFile = join(WORK, 'body.json');
  writeFileSync(bodyFile, BODY);
  const headers = Object.entries({ 'content-type': 'application/json', ...t.headers }).map(
    ([k, v]) => `${k}: ${v}`,
  );
  const out = execFileSync(process.execPath, [
    '--import',
    'tsx',
    join(HERE, '_openloop.ts'),
    t.url,
    String(RATE),
    String(SECONDS),
    bodyFile,
    ...headers,
  ]).toString();
  return JSON.parse(out) as { p50: number; p99: number; p999: number; ok: number; errors: number };
}

const STREAM_BODY = JSON.stringify({ ...(JSON.parse(BODY) as object), stream: true });
const STREAMS = Number(process.env['BENCH_STREAMS'] ?? 300);

/**
 * Streamed chat completions one after another (no load): time to the first body byte and to the end, ms,
 * p50/p99. Through Tally the stream is parsed event by event (usage, delivered text) and relayed as it comes.
 */
async function streamLatency(
  t: Target,
): Promise<{ ttfb50: number; ttfb99: number; end50: number; end99: number }> {
  const ttfb: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < STREAMS + 20; i++) {
    const t0 = performance.now();
    const r = await request(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...t.headers },
      body: STREAM_BODY,
    });
    let first = 0;
    for await (const c of r.body as AsyncIterable<Buffer>)
      if (!first && c.length > 0) first = performance.now();
    const end = performance.now();
    if (r.statusCode !== 200) throw new Error(`${t.name}: stream answered HTTP ${r.statusCode}`);
    if (i < 20) continue; // warm-up
    ttfb.push(first - t0);
    total.push(end - t0);
  }
  const q = (xs: number[], p: number): number =>
    round2([...xs].sort((a, b) => a - b)[Math.floor(p * xs.length)]!);
  return { ttfb50: q(ttfb, 0.5), ttfb99: q(ttfb, 0.99), end50: q(total, 0.5), end99: q(total, 0.99) };
}

/** CPU time of a process's main thread (its first task), ms. */
function mainThreadMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const f = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round2 = (x: number): number => Number(x.toFixed(2));

const SERVE = 'tally serve (scheduled work, dashboard polling)';
const polls = { ok: 0, failed: 0 };

/**
 * A dashboard client in its own process: every 2 s it loads what the overview shows (costs, budgets,
 * anomalies, forecast, freshness) through the API, as an open browser tab would, for the whole run.
 */
function pollDashboard(serve: Server): void {
  const script = `
    const [api, token] = process.argv.slice(1);
    const day = (d) => new Date(Date.now() + d * 864e5).toISOString().slice(0, 10);
    const paths = ['/api/v1/costs?from=' + day(-30) + '&to=' + day(1) + '&by=x_Team', '/api/v1/budgets',
      '/api/v1/anomalies?from=' + day(-7) + '&to=' + day(1), '/api/v1/forecast', '/api/v1/freshness'];
    setInterval(async () => {
      for (const p of paths) {
        const r = await fetch(api + p, { headers: { authorization: 'Bearer ' + token } }).catch(() => null);
        await r?.arrayBuffer();
        process.stdout.write(r?.ok ? 'ok\\n' : 'failed ' + (r?.status ?? 'network') + ' ' + p + '\\n');
      }
    }, 2000);`;
  const child = spawn(process.execPath, ['-e', script, serve.apiUrl!, serve.token!], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (l === 'ok') polls.ok++;
    else {
      polls.failed++;
      if (polls.failed <= 3) process.stderr.write(`dashboard poll: ${l}\n`);
    }
  });
}

async function main(): Promise<void> {
  const mock = await startServer(['mock']);
  const bare = await startServer(['bare', mock.url]);
  const tally = await startServer(['tally', mock.url]);
  const fastAck = process.env['BENCH_FAST_ACK'] ? await startServer(['tally', mock.url, 'fast']) : null;
  const serve = process.env['BENCH_SERVE'] ? await startServer(['serve', mock.url]) : null;
  if (serve) pollDashboard(serve);
  const portkey = await startPortkey(mock.url).catch((e: Error) => {
    process.stderr.write(`portkey skipped: ${e.message}\n`);
    return null;
  });
  const chat = '/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21';
  const targets: Target[] = [
    { name: 'direct (mock)', url: mock.url + chat, headers: {}, pid: mock.pid },
    { name: 'bare pass-through', url: bare.url + chat, headers: {}, pid: bare.pid },
    {
      name: 'tally',
      url: `${tally.url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${tally.key}` },
      pid: tally.pid,
    },
  ];
  if (fastAck)
    targets.push({
      name: 'tally (ack: fast)',
      url: `${fastAck.url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${fastAck.key}` },
      pid: fastAck.pid,
    });
  if (serve)
    targets.push({
      name: SERVE,
      url: `${serve.url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${serve.key}` },
      pid: serve.pid,
    });
  if (portkey)
    targets.push({
      name: 'portkey',
      url: `${portkey.url}/v1/chat/completions`,
      headers: { authorization: 'Bearer x', ...portkey.headers },
      pid: portkey.pid,
    });
  process.stderr.write(`load generator: ${WRK ? 'wrk' : 'autocannon (install wrk for less noise)'}\n`);
  // Warm up connection pools and JITs.
  for (const t of targets) await warm(t, 2);
  const max = new Map<string, { rps: number[]; errors: number; cpu: number[]; mainCpu: number[] }>();
  const fixed = new Map<string, { p50: number[]; p99: number[]; p999: number[]; errors: number }>();
  const ratios: number[] = [];
  // Tally's own time per request at the fixed rate (its total minus waiting on the mock), from its metrics.
  const overhead = { p50: [] as number[], p99: [] as number[], p999: [] as number[] };
  const serveOverhead = { p50: [] as number[], p99: [] as number[], p999: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const rps: Record<string, number> = {};
    for (const t of targets) {
      await warm(t);
      const c0 = cpuMs(t.pid);
      const m0 = mainThreadMs(t.pid);
      const r = await maxLoad(t);
      const c1 = cpuMs(t.pid);
      const m1 = mainThreadMs(t.pid);
      const row = max.get(t.name) ?? { rps: [], errors: 0, cpu: [], mainCpu: [] };
      row.rps.push(r.rps);
      row.errors += r.errors;
      // CPU the server used per request at max load (all threads, and its main thread alone), microseconds.
      if (c0 !== null && c1 !== null && r.total > 0) row.cpu.push(((c1 - c0) * 1000) / r.total);
      if (m0 !== null && m1 !== null && r.total > 0) row.mainCpu.push(((m1 - m0) * 1000) / r.total);
      max.set(t.name, row);
      rps[t.name] = r.rps;
      process.stderr.write(`round ${round + 1} max ${t.name}: ${r.rps} req/s\n`);
    }
    ratios.push(rps['tally']! / rps['bare pass-through']!);
    for (const t of targets) {
      await warm(t);
      const own = t.name === 'tally' ? tally : t.name === SERVE ? serve : null;
      if (own) await own.ask('overhead'); // start the window with this run
      const f = fixedRate(t);
      if (own) {
        const o = JSON.parse(await own.ask('overhead')) as { p50: number; p99: number; p999: number };
        const into = t.name === 'tally' ? overhead : serveOverhead;
        into.p50.push(o.p50);
        into.p99.push(o.p99);
        into.p999.push(o.p999);
      }
      const row = fixed.get(t.name) ?? { p50: [], p99: [], p999: [], errors: 0 };
      row.p50.push(f.p50);
      row.p99.push(f.p99);
      row.p999.push(f.p999);
      row.errors += f.errors;
      fixed.set(t.name, row);
      process.stderr.write(`round ${round + 1} @${RATE}/s ${t.name}: ${JSON.stringify(f)}\n`);
    }
  }
  // Streaming, unloaded: what Tally adds to the first byte and to the whole stream.
  const streaming: Record<string, Awaited<ReturnType<typeof streamLatency>>> = {};
  for (const t of targets.filter((x) => x.name !== 'portkey')) {
    streaming[t.name] = await streamLatency(t);
    process.stderr.write(`stream ${t.name}: ${JSON.stringify(streaming[t.name])}\n`);
  }
  const rows = targets.map((t) => {
    const m = max.get(t.name)!;
    const f = fixed.get(t.name)!;
    return {
      name: t.name,
      maxRps: Math.round(median(m.rps)),
      maxRpsRounds: m.rps,
      maxErrors: m.errors,
      cpuUsPerReq: m.cpu.length ? Math.round(median(m.cpu)) : 'n/a',
      mainThreadCpuUsPerReq: m.mainCpu.length ? Math.round(median(m.mainCpu)) : 'n/a',
      [`p50@${RATE}`]: round2(median(f.p50)),
      [`p99@${RATE}`]: round2(median(f.p99)),
      [`p999@${RATE}`]: round2(median(f.p999)),
      p99Rounds: f.p99,
      errors: f.errors,
    };
  });
  const by = (name: string) => rows.find((r) => r.name === name)!;
  const p99 = `p99@${RATE}`;
  const p50 = `p50@${RATE}`;
  const summary = {
    loadGenerator: WRK ? 'wrk' : 'autocannon',
    seconds: SECONDS,
    rounds: ROUNDS,
    rate: RATE,
    rows,
    tallyAddedP50MsVsDirect: round2(Number(by('tally')[p50]) - Number(by('direct (mock)')[p50])),
    tallyAddedP99MsVsDirect: round2(Number(by('tally')[p99]) - Number(by('direct (mock)')[p99])),
    tallyAddedP99MsVsBare: round2(Number(by('tally')[p99]) - Number(by('bare pass-through')[p99])),
    tallyOverheadMs: {
      p50: round2(median(overhead.p50)),
      p99: round2(median(overhead.p99)),
      p999: round2(median(overhead.p999)),
      p99Rounds: overhead.p99,
    },
    streaming,
    ...(serve
      ? {
          serveOverheadMs: {
            p50: round2(median(serveOverhead.p50)),
            p99: round2(median(serveOverhead.p99)),
            p999: round2(median(serveOverhead.p999)),
          },
          serveMaxVsGatewayAlone: round2(by(SERVE).maxRps / by('tally').maxRps),
          serveP99VsGatewayAlone: round2(Number(by(SERVE)[p99]) / Number(by('tally')[p99])),
          dashboardPolls: polls,
        }
      : {}),
    tallyMaxVsBare: round2(median(ratios)),
    tallyMaxVsBareRounds: ratios.map(round2),
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

main()
  .catch((e: unknown) => {
    process.stderr.write(`bench failed: ${String(e)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  });
