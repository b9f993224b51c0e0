/**
 * `npm run bench:gateway`: throughput and latency of direct-to-mock, a bare Node pass-through, Tally (keys,
 * metering, limits, durable ledger on) and Portkey's open-source gateway (installed with npm into a temp
 * folder, not a project dependency), all against the same local mock upstream, with autocannon.
 * Each phase: max throughput (50 connections), then a fixed 1,000 req/s for p50/p99 and Tally's added p99.
 * Env: BENCH_SECONDS (default 8), BENCH_RATE (default 1000), BENCH_SKIP_PORTKEY=1.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const HERE = dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const RATE = Number(process.env['BENCH_RATE'] ?? 1000);
const children: ChildProcess[] = [];

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

function startServer(args: string[]): Promise<{ url: string; key?: string; pid?: number | undefined }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'gateway-servers.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((ok, fail) => {
    createInterface({ input: child.stdout! }).once('line', (l) =>
      ok({ ...(JSON.parse(l) as { url: string; key?: string }), pid: child.pid }),
    );
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

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
}

async function load(url: string, headers: Record<string, string>, rate?: number): Promise<Figures> {
  const r = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: BODY,
    connections: 50,
    duration: SECONDS,
    ...(rate ? { overallRate: rate } : {}),
  });
  return {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx + r.timeouts,
    total: r.requests.total,
  };
}

async function main(): Promise<void> {
  const mock = await startServer(['mock']);
  const bare = await startServer(['bare', mock.url]);
  const tally = await startServer(['tally', mock.url]);
  const portkey = await startPortkey(mock.url).catch((e: Error) => {
    process.stderr.write(`portkey skipped: ${e.message}\n`);
    return null;
  });
  const chat = '/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21';
  const targets: [string, string, Record<string, string>, number | undefined][] = [
    ['direct (mock)', mock.url + chat, {}, mock.pid],
    ['bare pass-through', bare.url + chat, {}, bare.pid],
    ['tally', `${tally.url}/v1/chat/completions`, { authorization: `Bearer ${tally.key}` }, tally.pid],
  ];
  if (portkey)
    targets.push([
      'portkey',
      `${portkey.url}/v1/chat/completions`,
      { authorization: 'Bearer x', ...portkey.headers },
      portkey.pid,
    ]);
  // Warm up connection pools and JITs.
  for (const [, url, h] of targets)
    await autocannon({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...h },
      body: BODY,
      connections: 10,
      duration: 2,
    });
  const rows: Record<string, string | number>[] = [];
  for (const [name, url, h, pid] of targets) {
    const c0 = cpuMs(pid);
    const max = await load(url, h);
    const c1 = cpuMs(pid);
    const fixed = await load(url, h, RATE);
    rows.push({
      name,
      maxRps: max.rps,
      maxErrors: max.errors,
      // CPU the server process used per request at max load (all its threads), microseconds.
      cpuUsPerReq:
        c0 !== null && c1 !== null && max.total > 0 ? Math.round(((c1 - c0) * 1000) / max.total) : 'n/a',
      [`p50@${RATE}`]: fixed.p50,
      [`p99@${RATE}`]: fixed.p99,
      achievedRps: fixed.rps,
      errors: fixed.errors,
    });
    process.stderr.write(`${name}: ${JSON.stringify(rows.at(-1))}\n`);
  }
  const direct = rows[0]!;
  const bareRow = rows[1]!;
  const t = rows[2]!;
  const p99 = `p99@${RATE}`;
  const summary = {
    seconds: SECONDS,
    rate: RATE,
    rows,
    tallyAddedP99MsVsDirect: Number((Number(t[p99]) - Number(direct[p99])).toFixed(2)),
    tallyAddedP50MsVsDirect: Number((Number(t[`p50@${RATE}`]) - Number(direct[`p50@${RATE}`])).toFixed(2)),
    tallyMaxVsBare: Number((Number(t['maxRps']) / Number(bareRow['maxRps'])).toFixed(2)),
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
