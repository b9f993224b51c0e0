/**
 * Benchmark servers, one per child process so each gets its own event loop:
 *   mock            the mock upstream
 *   bare <mockUrl>  a bare Node pass-through proxy (http server + undici Pool, no parsing)
 *   tally <mockUrl> [durable|fast] Tally's gateway with keys, metering, limits and the durable ledger on
 *   serve <mockUrl> the same gateway inside `tally serve`: the API worker runs the scheduled pass every 10 s
 *                   (alerts, anomaly incidents, a budget check), and an admin token is printed for a poller;
 *                   its report cache is off unless BENCH_REPORT_CACHE sets its seconds (the product's default: 30)
 * Prints one JSON line {url, key?} on stdout when ready; exits on SIGTERM (Tally drains first). Tally answers
 * a line "overhead" on stdin with its own per-request overhead since the last ask.
 */
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import type * as CoreLib from '../src/core/index.js';
import type * as GatewayLib from '../src/gateway/index.js';
import type * as MockLib from '../src/gateway/testing/mock-upstream.js';
import type * as StoreLib from '../src/store/index.js';
import type * as ServerLib from '../src/server/index.js';
import type * as ApiLib from '../src/api/index.js';

// Tally runs from the compiled `dist/` (what `npx tally gateway` runs), not through the tsx loader, whose
// per-closure helpers would charge Tally for a cost users never pay. BENCH_FROM_SRC=1 runs the sources.
const LIB = new URL(process.env['BENCH_FROM_SRC'] ? '../src/' : '../dist/', import.meta.url).href;
const { loadConfig } = (await import(`${LIB}core/index.js`)) as typeof CoreLib;
const { createKey, startGateway } = (await import(`${LIB}gateway/index.js`)) as typeof GatewayLib;
const { startMockUpstream } = (await import(`${LIB}gateway/testing/mock-upstream.js`)) as typeof MockLib;
const { openStore } = (await import(`${LIB}store/index.js`)) as typeof StoreLib;
const serverLib = (): Promise<typeof ServerLib> =>
  import(`${LIB}server/index.js`) as Promise<typeof ServerLib>;
const apiLib = (): Promise<typeof ApiLib> => import(`${LIB}api/index.js`) as Promise<typeof ApiLib>;

const [kind, mockUrl, ack = 'durable'] = process.argv.slice(2);
/** The serve's report cache: off (every dashboard poll recomputes) unless BENCH_REPORT_CACHE gives seconds. */
const reportCacheSeconds = (): number => Number(process.env['BENCH_REPORT_CACHE'] ?? 0);
const ready = (o: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

if (kind === 'mock') {
  const m = await startMockUpstream({ record: false });
  ready({ url: m.url });
  process.once('SIGTERM', () => void m.close().then(() => process.exit(0)));
} else if (kind === 'bare') {
  const pool = new Pool(mockUrl!, { connections: 128 });
  const server = createServer((req, res) => {
    pool
      .request({
        method: req.method as 'POST',
        path: req.url ?? '/',
        headers: { 'content-type': 'application/json' },
        body: req,
      })
      .then(async (r) => {
        res.writeHead(r.statusCode, {
          'content-type': String(r.headers['content-type'] ?? 'application/json'),
        });
        for await (const c of r.body) res.write(c);
        res.end();
      })
      .catch(() => {
        res.writeHead(502);
        res.end();
      });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () =>
    ready({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
  );
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
} else if (kind === 'tally' || kind === 'serve') {
  const dir = mkdtempSync(join(tmpdir(), 'tally-bench-'));
  const configPath = join(dir, 'tally.yaml');
  writeFileSync(
    configPath,
    `version: 1
gateway:
  port: 0
  ack: ${ack}
  upstreams:
    - name: mock
      kind: azure-openai
      baseUrl: ${mockUrl}
      apiKey: bench-upstream-key
      region: eastus2
      deployments:
        - { name: gpt-4o-mini, model: gpt-4o-mini, type: global-standard }
  routes:
    - { model: gpt-4o-mini, targets: [mock/gpt-4o-mini] }
server: { port: 0, alertsSeconds: 10, reportCacheSeconds: ${reportCacheSeconds()} }
budgets:
  - { name: bench, scope: team, value: bench, amountUsd: 1000000, period: month }
`,
  );
  const dbPath = join(dir, 'tally.duckdb');
  const store = await openStore({ path: dbPath });
  // Limits on: a generous TPM and a daily budget, so the checks run without refusing the benchmark.
  const { key } = await createKey(store, {
    team: 'bench',
    app: 'load',
    environment: 'prod',
    tpm: 1_000_000_000,
    budget: { usd: 1_000_000, period: 'day', hard: true },
  });
  const token =
    kind === 'serve'
      ? (await (await apiLib()).createUser(store, { name: 'bench', role: 'admin', teams: [] })).token
      : undefined;
  await store.close();
  const config = loadConfig({ path: configPath }).config;
  const served =
    kind === 'serve'
      ? await (await serverLib()).startServer({ config, dbPath, port: 0, host: '127.0.0.1' })
      : null;
  const gw = served?.gateway ?? (await startGateway({ config, dbPath, port: 0, host: '127.0.0.1' }));
  // Event-loop delay over the whole run: stalls here are what a client sees as tail latency.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  ready({ url: gw.url, key, dbPath, apiUrl: served?.url, token });
  // "overhead" on stdin: print the gateway's own per-request overhead since the last ask (ms), then reset.
  createInterface({ input: process.stdin }).on('line', (l) => {
    if (l.trim() !== 'overhead') return;
    process.stdout.write(`${JSON.stringify(gw.gateway.metrics.overheadSummary())}\n`);
    gw.gateway.metrics.overhead.reset();
  });
  process.once('SIGTERM', () => {
    const ms = (n: number): string => (n / 1e6).toFixed(1);
    process.stderr.write(
      `tally event-loop delay ms: p50 ${ms(loop.percentile(50))} p99 ${ms(loop.percentile(99))} max ${ms(loop.max)}\n`,
    );
    void (served ?? gw).stop().then(() => process.exit(0));
  });
} else {
  process.stderr.write('usage: gateway-servers.ts mock | bare URL | tally URL [durable|fast] | serve URL\n');
  process.exit(2);
}
