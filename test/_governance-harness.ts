/** Test harness for governance: a real gateway (port 0) on a temp store, keys made up front, the openai SDK. */
import OpenAI from 'openai';
import { loadConfig, type TallyConfig } from '../src/core/index.js';
import { createKey, startGateway, type KeySpec, type RunningGateway } from '../src/gateway/index.js';
import { openStore, type Row, duckdbSql } from '../src/store/index.js';
import { makeFixture, type GatewayFixture } from './gateway-fixture.js';

/** A running gateway with its fixture. */
export interface GovHarness {
  fx: GatewayFixture;
  config: TallyConfig;
  gw: RunningGateway;
  /** Secrets of the keys created, by label. */
  keys: Record<string, string>;
  /** Key ids, by label. */
  ids: Record<string, string>;
  client(label: string): OpenAI;
  /** Stops the gateway (ledger flushed) and runs SQL on its store. */
  stopAndQuery(sql: string, params?: (string | number)[]): Promise<Row[]>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a fixture gateway with `extra` YAML (under `gateway:` when indented two spaces) and the given keys. */
export async function startGovernance(extra: string, keySpecs: Record<string, KeySpec>): Promise<GovHarness> {
  const fx = await makeFixture(extra);
  const config = loadConfig({ path: fx.configPath }).config;
  const keys: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const store = await openStore({ path: fx.dbPath });
  try {
    for (const [label, spec] of Object.entries(keySpecs)) {
      const { record, key } = await createKey(store, spec);
      keys[label] = key;
      ids[label] = record.id;
    }
  } finally {
    await store.close();
  }
  let gw = await startGateway({ config, dbPath: fx.dbPath, port: 0, host: '127.0.0.1' });
  let stopped = false;
  const h: GovHarness = {
    fx,
    config,
    get gw() {
      return gw;
    },
    keys,
    ids,
    client: (label) => new OpenAI({ apiKey: keys[label]!, baseURL: `${gw.url}/v1`, maxRetries: 0 }),
    async stopAndQuery(sql, params = []) {
      if (!stopped) await gw.stop();
      stopped = true;
      const s = await openStore({ path: fx.dbPath, readOnly: true });
      try {
        return await duckdbSql(s).query(sql, params);
      } finally {
        await s.close();
      }
    },
    async restart() {
      if (!stopped) await gw.stop();
      gw = await startGateway({ config, dbPath: fx.dbPath, port: 0, host: '127.0.0.1' });
      stopped = false;
    },
    async close() {
      if (!stopped) await gw.stop();
      stopped = true;
      await fx.cleanup();
    },
  };
  return h;
}

/** Status, headers and OpenAI error body of a failed SDK call (throws if the call succeeded). */
export async function failure(
  p: Promise<unknown>,
): Promise<{ status: number; headers: Headers; error: { code?: string; message?: string; type?: string } }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OpenAI.APIError)
      return {
        status: err.status ?? 0,
        headers: err.headers ?? new Headers(),
        error: (err.error ?? {}) as { code?: string },
      };
    throw err;
  }
  throw new Error('expected the request to fail');
}
