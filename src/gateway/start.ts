/**
 * Running a gateway process: open the store (this process becomes its one writer), open the durable ledger
 * (replaying what a crashed run left), listen, and record `<db>.gateway.json` (URL, pid, admin token; mode
 * 0600) so `tally usage` and friends can ask the running gateway instead of opening the locked store.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import { PRICE_IMPORTS_META, registerPriceSheetFile, registerStoredImports } from '../catalog/index.js';
import { TallyError, writeFileAtomic, type TallyConfig } from '../core/index.js';
import { claimReplicaDir, Ledger, ledgerDirFor, type ClaimedDir } from '../ledger/index.js';
import { isPostgresUrl, localBaseFor, openStore, storeSettings, type CostStore } from '../store/index.js';
import { resolveSecret } from './_secrets.js';
import { createGateway, type Gateway } from './server.js';

/** What the state file beside the db says about a running gateway. */
export interface GatewayState {
  url: string;
  pid: number;
  adminToken: string;
  startedAt: string;
}

/** The state file path for a store file. */
export function gatewayStatePath(dbPath: string): string {
  return `${localBaseFor(dbPath)}.gateway.json`;
}

/** Reads the state file of a gateway running on this db, or null. */
export function readGatewayState(dbPath: string): GatewayState | null {
  try {
    const s = JSON.parse(readFileSync(gatewayStatePath(dbPath), 'utf8')) as GatewayState;
    return typeof s.url === 'string' && typeof s.adminToken === 'string' ? s : null;
  } catch {
    return null;
  }
}

/** A running gateway. */
export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly gateway: Gateway;
  /** Drains in-flight requests, flushes the ledger, closes the store, removes the state file. */
  stop(): Promise<void>;
}

/**
 * The store's salt for prompt-prefix fingerprints, made once (random) and shared by every replica on the store,
 * so the same prefix has the same fingerprint whichever replica served it.
 */
async function fingerprintSalt(store: CostStore): Promise<string> {
  const have = await store.getMeta('gateway', 'prompt-prefix-salt');
  if (typeof have === 'string') return have;
  const salt = randomBytes(32).toString('hex');
  await store.setMeta('gateway', 'prompt-prefix-salt', salt);
  return salt;
}

/**
 * The store settings of a process that runs the gateway (`tally gateway`, or `tally serve` with it): one DuckDB
 * thread unless configured, since the store's work there (the ledger flush) is background work that must not
 * take the cores the event loop answers on (ADR 0011; a second thread cost 36-98 µs per request, ADR 0032).
 */
export function gatewayStoreSettings(config: TallyConfig) {
  return { ...storeSettings(config.store), threads: config.store.threads ?? 1 };
}

/** Starts a gateway on a store file. */
export async function startGateway(opts: {
  config: TallyConfig;
  dbPath: string;
  port?: number | undefined;
  host?: string | undefined;
  /** A store this process already owns (`tally serve`): used, and left open on stop. */
  store?: CostStore | undefined;
  /**
   * A job run on the gateway's own store every `everyMs` (e.g. alert evaluation): while the gateway runs it
   * holds the only write handle on the store, so periodic work that needs the store must run in here.
   */
  periodic?:
    { everyMs: number; run(store: CostStore): Promise<void>; onError?(err: unknown): void } | undefined;
}): Promise<RunningGateway> {
  const gcfg = opts.config.gateway;
  if (!gcfg || gcfg.upstreams.length === 0)
    throw new TallyError(
      'invalid_config',
      'gateway.upstreams: configure at least one upstream in tally.yaml',
      {
        field: 'gateway.upstreams',
      },
    );
  const ownStore = !opts.store;
  const store = opts.store ?? (await openStore({ path: opts.dbPath, ...gatewayStoreSettings(opts.config) }));
  // Prices imported with `tally prices import` and the configured price sheet make metered costs effective.
  registerStoredImports(await store.getMeta(PRICE_IMPORTS_META.namespace, PRICE_IMPORTS_META.key));
  if (opts.config.pricing.priceSheet) registerPriceSheetFile(opts.config.pricing.priceSheet);
  let ledger: Ledger | null = null;
  let claim: ClaimedDir | null = null;
  let listening: Gateway | null = null;
  try {
    // A server store is shared by replicas, maybe on one host: each claims its own WAL folder, and one left by
    // a replica that died is claimed (and replayed) by the next to start (ledger/_claim.ts, ADR 0020).
    const walBase = gcfg.walDir ?? ledgerDirFor(opts.dbPath);
    if (isPostgresUrl(opts.dbPath)) claim = await claimReplicaDir(walBase);
    ({ ledger } = await Ledger.open({
      store,
      dir: claim?.dir ?? walBase,
      // Flushes load closed WAL segments with DuckDB's own reader on a libuv thread, never the event loop. Every
      // 5 s would halve their CPU at 1,000 req/s (15-21 instead of 32-34 ms/s; bench/ledger-flush.ts), but alert
      // evaluation and tally serve's API read the store without flushing: the default keeps usage there ~1 s
      // fresh, and `gateway.flushIntervalMs` trades that freshness for the gateway's tail (ADR 0042).
      flushIntervalMs: gcfg.flushIntervalMs,
      walWrites: gcfg.walWrites,
      onError: (e) =>
        process.stderr.write(`tally gateway: ledger flush failed (events kept in the WAL): ${e.message}\n`),
    }));
    const adminToken = gcfg.adminToken
      ? resolveSecret(gcfg.adminToken, 'gateway.adminToken')
      : randomBytes(24).toString('base64url');
    const prefixSalt = gcfg.promptFingerprints ? await fingerprintSalt(store) : null;
    const gateway = await createGateway({ config: opts.config, store, ledger, adminToken, prefixSalt });
    const port = opts.port ?? gcfg.port;
    const host = opts.host ?? gcfg.host;
    await new Promise<void>((ok, fail) => {
      gateway.server.once('error', (e: NodeJS.ErrnoException) =>
        fail(new TallyError('unavailable', `cannot listen on port ${port}: ${e.code ?? e.message}`)),
      );
      gateway.server.listen(port, host, () => ok());
    });
    listening = gateway;
    const addr = gateway.server.address() as AddressInfo;
    const shownHost =
      !host || host === '::' || host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    const url = `http://${shownHost}:${addr.port}`;
    const state: GatewayState = { url, pid: process.pid, adminToken, startedAt: new Date().toISOString() };
    // With a server store and gateway.walDir set, nothing else has made the .tally/ folder the state file uses.
    mkdirSync(dirname(gatewayStatePath(opts.dbPath)), { recursive: true });
    writeFileAtomic(gatewayStatePath(opts.dbPath), JSON.stringify(state));
    const led = ledger;
    let stopping: Promise<void> | null = null;
    let job: Promise<void> | null = null;
    const periodic = opts.periodic;
    const timer = periodic
      ? setInterval(() => {
          if (job || stopping) return; // never overlap passes, never start one while draining
          job = periodic
            .run(store)
            .catch((err: unknown) => periodic.onError?.(err))
            .finally(() => {
              job = null;
            });
        }, periodic.everyMs)
      : null;
    timer?.unref();
    return {
      url,
      port: addr.port,
      gateway,
      stop() {
        stopping ??= (async () => {
          if (timer) clearInterval(timer);
          await gateway.drain();
          await job;
          // The store may be unreachable at shutdown (a deploy during a PostgreSQL outage): the events stay in
          // this replica's WAL for the next start, and the rest still closes so the process can exit.
          try {
            await led.close();
          } finally {
            claim?.release();
            if (ownStore) await store.close().catch(() => undefined);
            rmSync(gatewayStatePath(opts.dbPath), { force: true });
          }
        })();
        return stopping;
      },
    };
  } catch (err) {
    // A start that failed after listening must not leave a server answering with a closed ledger.
    listening?.server.close();
    listening?.server.closeAllConnections();
    await ledger?.close().catch(() => undefined);
    claim?.release();
    if (ownStore) await store.close().catch(() => undefined);
    throw err;
  }
}
