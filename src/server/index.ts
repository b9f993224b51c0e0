/**
 * server: `tally serve`, one long-running Tally. The main thread owns the store (the file's one writer) and
 * runs the gateway on it, hot path unchanged; a worker thread runs the HTTP API, the dashboard and the
 * scheduled work against that store over a MessagePort. `<db>.server.json` lets the CLI find and verify it.
 */
import { Worker, MessageChannel } from 'node:worker_threads';
import { TallyError, type TallyConfig } from '../core/index.js';
import { localBaseFor, openStore, storeSettings, type CostStore } from '../store/index.js';
import { gatewayStoreSettings, startGateway, type RunningGateway } from '../gateway/index.js';
import { removeServerState, writeServerState, type ServerState } from '../owner/index.js';
import { serveStoreOverPort } from './_store-rpc.js';
import { schedulePlan } from './_schedule.js';
import type { WorkerInit } from './_worker.js';

/** A running server. */
export interface RunningServer {
  /** The API/dashboard URL. */
  readonly url: string;
  readonly port: number;
  readonly gateway: RunningGateway | null;
  /** Drains the gateway, stops the API and scheduled work, closes the store, removes the state file. */
  stop(): Promise<void>;
}

function workerUrl(): URL {
  // Under tsx the sources run as .ts; built, as .js beside this file.
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./_worker.${ext}`, import.meta.url);
}

/** Starts `tally serve` on a store. */
export async function startServer(opts: {
  config: TallyConfig;
  dbPath: string;
  port?: number | undefined;
  host?: string | undefined;
  /** Run the gateway when configured (default: `server.gateway`). */
  gateway?: boolean | undefined;
  /** Print each alert pass as a JSON line on stdout (`--json`). */
  json?: boolean | undefined;
  /**
   * `gateway`: `tally gateway`, whose API only serves this machine's CLI. Its scheduled pass follows
   * `server.scheduledPass` for a gateway, and it computes no dashboard answers ahead. Default `serve`.
   */
  mode?: 'serve' | 'gateway' | undefined;
}): Promise<RunningServer> {
  const scfg = opts.config.server;
  const wantGateway = (opts.gateway ?? scfg.gateway) && (opts.config.gateway?.upstreams.length ?? 0) > 0;
  const store: CostStore = await openStore({
    path: opts.dbPath,
    ...(wantGateway ? gatewayStoreSettings(opts.config) : storeSettings(opts.config.store)),
  });
  let gateway: RunningGateway | null = null;
  let worker: Worker | null = null;
  let stopServing: (() => void) | null = null;
  let state: ServerState | null = null;
  try {
    if (wantGateway) gateway = await startGateway({ config: opts.config, dbPath: opts.dbPath, store });
    const channel = new MessageChannel();
    stopServing = serveStoreOverPort(store, channel.port1);
    const secret = (await import('node:crypto')).randomBytes(32).toString('base64url');
    // The scheduled pass stores anomaly incidents for the dashboard and API, evaluates budgets and sends alerts.
    // A gateway alone (no dashboard) runs it, by default, as it did before `tally serve`: on the interval only,
    // and only while sinks or budgets exist (ADR 0045).
    const plan = schedulePlan(opts.config, opts.mode ?? 'serve');
    const secure =
      scfg.secureCookies === 'always' ||
      (scfg.secureCookies === 'auto' && (scfg.publicUrl ?? '').startsWith('https:'));
    const init: WorkerInit = {
      storePort: channel.port2,
      backend: store.backend,
      storePath: store.location,
      config: opts.config,
      port: opts.port ?? scfg.port,
      host: opts.host ?? scfg.host,
      secret,
      secureCookies: secure,
      sessionHours: scfg.sessionHours,
      ...plan,
      watch: scfg.watch ? { dir: scfg.watch.dir, intervalSeconds: scfg.watch.intervalSeconds } : null,
      reportCacheSeconds: scfg.reportCacheSeconds,
      json: opts.json === true,
    };
    // Under tsx (tests, development) the worker loads its TypeScript entry through tsx's API (Node 20 does not
    // carry --import loader hooks into workers); built code runs the .js entry directly.
    const entry = workerUrl();
    const w = entry.pathname.endsWith('.ts')
      ? new Worker(
          `import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`,
          { eval: true, workerData: init, transferList: [channel.port2] },
        )
      : new Worker(entry, { workerData: init, transferList: [channel.port2] });
    worker = w;
    const port = await new Promise<number>((ok, fail) => {
      w.on('message', (m: { type: string; port?: number; message?: string }) => {
        if (m.type === 'ready') ok(m.port!);
        if (m.type === 'error') fail(new TallyError('unavailable', m.message ?? 'the API could not start'));
      });
      w.once('error', (e) =>
        fail(new TallyError('internal', `API worker failed: ${e.message}`, {}, { cause: e })),
      );
      w.once('exit', (code) =>
        fail(new TallyError('internal', `API worker exited (${code}) before it was ready`)),
      );
    });
    const host =
      init.host === '0.0.0.0' || init.host === '::'
        ? '127.0.0.1'
        : init.host.includes(':')
          ? `[${init.host}]`
          : init.host;
    const url = `http://${host}:${port}`;
    state = writeServerState(localBaseFor(opts.dbPath), url, secret);
    let stopping: Promise<void> | null = null;
    const st = state;
    return {
      url,
      port,
      gateway,
      stop() {
        stopping ??= (async () => {
          await gateway?.stop();
          await new Promise<void>((done) => {
            const t = setTimeout(() => void w.terminate().then(() => done()), 10_000);
            w.once('message', (m: { type: string }) => {
              if (m.type === 'stopped') {
                clearTimeout(t);
                void w.terminate().then(() => done());
              }
            });
            w.postMessage({ type: 'stop' });
          });
          stopServing?.();
          removeServerState(localBaseFor(opts.dbPath), st);
          await store.close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await gateway?.stop().catch(() => undefined);
    await worker?.terminate().catch(() => undefined);
    stopServing?.();
    if (state) removeServerState(localBaseFor(opts.dbPath), state);
    await store.close().catch(() => undefined);
    throw err;
  }
}
export { schedulePlan, type SchedulePlan } from './_schedule.js';
export { monthsTouched, runKeepingMonths, costStamps, type MonthsTouched } from './_memo-writes.js';
