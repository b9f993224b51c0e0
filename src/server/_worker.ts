/**
 * The worker thread of `tally serve`: the API, the dashboard and the scheduled work (alert evaluation, the
 * watched ingest folder). Its store is the owner's, reached over a MessagePort, so report and alert CPU runs
 * here and never on the gateway's event loop.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { TallyConfig } from '../core/index.js';
import type { CostStore } from '../store/index.js';
import { AuthThrottle, clientAddress, createApiApp, ReportCache } from '../api/index.js';
import { PeriodMemo } from '../analytics/index.js';
import { storeOverPort } from './_store-rpc.js';
import { runCommand } from './_run-command.js';
import { startSchedule } from './_schedule.js';
import { mountDashboard } from './_dashboard.js';
import { handleMcpHttp, seedToolAnswers } from '../mcp/index.js';
import { storedIncidentTeams } from '../alerts/index.js';
import { keepReportsWarm } from './_warm.js';
import { runKeepingMonths } from './_memo-writes.js';

/** What the owner hands the worker. */
export interface WorkerInit {
  readonly storePort: MessagePort;
  readonly backend: CostStore['backend'];
  readonly storePath: string;
  readonly config: TallyConfig;
  readonly port: number;
  readonly host: string;
  readonly secret: string;
  readonly secureCookies: boolean;
  readonly sessionHours: number;
  readonly alertsSeconds: number | null;
  /** Run the first pass at start (it stores the incidents the dashboard reads), not only after alertsSeconds. */
  readonly passAtStart: boolean;
  /** Skip a pass while no alert sink and no budget exists (a gateway alone: nothing would read its result). */
  readonly passOnlyWithWork: boolean;
  /** Compute the likely next dashboard and assistant answers after each pass (not for a gateway alone). */
  readonly seedAnswers: boolean;
  readonly watch: { dir: string; intervalSeconds: number } | null;
  readonly reportCacheSeconds: number;
  /** Print each alert pass as a JSON line on stdout. */
  readonly json: boolean;
}

const init = workerData as WorkerInit;
const store = storeOverPort(init.storePort, { backend: init.backend, location: init.storePath });
// The worker is the DuckDB store's single writer's voice: answers about closed windows live until a write, and
// so do closed months' allocations and inputs, shared by every report (ADR 0033). On PostgreSQL other
// processes write: neither is kept past its time to live, and months are not shared.
const singleWriter = init.backend === 'duckdb';
const memo = singleWriter ? new PeriodMemo() : undefined;
// Every write through this server clears the report cache; the months go only when a command may have
// changed them: an ingest forgets the months whose cost rows moved, a write of no cost or usage row none
// (ADR 0040). Every write of cost or usage rows is a command, so it passes here.
const run = (argv: readonly string[], opts: { scope: { teams: readonly string[] } | null; actor: string }) =>
  runKeepingMonths(memo, store, argv, () =>
    runCommand(argv, { store, config: init.config, ...opts, ...(memo ? { memo } : {}) }),
  );
const cache = new ReportCache(init.reportCacheSeconds * 1000, Date.now, { singleWriter });
const ttlMs = init.reportCacheSeconds * 1000;
const warm = keepReportsWarm(cache, {
  everyMs: Math.max(5_000, ttlMs / 3),
  afterWriteMs: 1_000,
  log: (l) => process.stderr.write(`tally serve: ${l}\n`),
});

// MCP shares the API's report cache (per argv and caller scope; every write through this server clears it).
// One count of failed authentications per client address for the API, the dashboard's sign-in and /mcp.
const authThrottle = new AuthThrottle();
const mcpDeps = { store, run, cache, secret: init.secret, now: () => new Date(), authThrottle };

const app = createApiApp(
  {
    store,
    config: init.config,
    storePath: init.storePath,
    secret: init.secret,
    secureCookies: init.secureCookies,
    sessionHours: init.sessionHours,
    now: () => new Date(),
    run,
    cache,
    authThrottle,
    maxUploadBytes: init.config.server.maxUploadMb * 1024 * 1024,
    incidentTeams: (id) => storedIncidentTeams(store, id),
  },
  (a, c) =>
    mountDashboard(
      a,
      { run, store, now: () => new Date(), incidentTeams: (id) => storedIncidentTeams(store, id) },
      c,
    ),
);

const schedule = startSchedule({
  store,
  config: init.config,
  alertsSeconds: init.alertsSeconds,
  passAtStart: init.passAtStart,
  ...(init.passOnlyWithWork
    ? {
        whenDue: async () =>
          (init.config.alerts?.sinks.length ?? 0) > 0 ||
          (init.config.budgets?.length ?? 0) > 0 ||
          (await store.listBudgets()).length > 0,
      }
    : {}),
  watch: init.watch,
  onPass: (p) => {
    // The pass stored incidents (and the gateway's budget state, which no report reads): only the anomaly
    // answers changed. Clearing every answer made the next dashboard load recompute all of them.
    cache.clear(['anomalies']);
    if (ttlMs > 0 && init.seedAnswers)
      warm.seed(async () => {
        const started = performance.now();
        const n = await seedToolAnswers(mcpDeps, new Date());
        const ms = Math.round(performance.now() - started);
        process.stderr.write(`tally serve: ${n} answers computed ahead in ${ms} ms\n`);
      });
    if (init.json) process.stdout.write(`${JSON.stringify(p)}\n`);
    else
      process.stderr.write(
        `${p.at}: ${p.anomalies} anomalies, ${p.budgets} budgets, ${p.sent} alerts sent\n`,
      );
  },
  run: async (argv, o) => {
    const r = await run(argv, o);
    cache.clear(); // a watched-folder ingest changed the data
    return r;
  },
});

// MCP (Streamable HTTP, stateless) answers /mcp beside the API, on the same port and with the same tokens; it is
// dispatched before the API app so its own bearer check (401, never a CSRF 403) decides who calls.
const fetchAll = (req: Request, env: unknown): Response | Promise<Response> =>
  new URL(req.url).pathname === '/mcp'
    ? handleMcpHttp(req, mcpDeps, clientAddress(env))
    : app.fetch(req, env);

let server: ServerType | null = null;
server = serve({ fetch: fetchAll, port: init.port, hostname: init.host }, (info: AddressInfo) => {
  parentPort?.postMessage({ type: 'ready', port: info.port });
});
server.on('error', (err: NodeJS.ErrnoException) => {
  parentPort?.postMessage({
    type: 'error',
    message: `cannot listen on ${init.host}:${init.port}: ${err.code ?? err.message}`,
  });
});

parentPort?.on('message', (m: { type?: string }) => {
  if (m.type !== 'stop') return;
  void (async () => {
    await schedule.stop();
    await warm.stop();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    parentPort?.postMessage({ type: 'stopped' });
  })();
});
