/**
 * The store across a thread boundary. `tally serve` keeps the store (one DuckDB handle: the file's single
 * writer) on the main thread beside the gateway, and runs the API, dashboard and scheduled work in a worker
 * so their CPU never lands on the gateway's event loop. The worker sees a CostStore whose every operation is
 * a message to the owner; transactions hold the owner's connection between `begin` and `commit`/`rollback`,
 * exactly as an in-process transaction would.
 */
import type { MessagePort } from 'node:worker_threads';
import { TallyError, toTallyError, type ErrorCode } from '../core/index.js';
import type { CostStore } from '../store/index.js';

interface Call {
  readonly id: number;
  readonly method: string;
  readonly args: readonly unknown[];
  readonly tx?: number;
}
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };
interface WireError {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

/** Operations the worker may not call: the owner opens and closes the store. */
const OWNER_ONLY = new Set(['close', 'transaction', 'constructor', 'withConnection', 'migrate']);
/** A transaction left open this long by a worker that died or hung is rolled back. */
const TX_TIMEOUT_MS = 10 * 60_000;

/** Owner side: answers a worker's store calls on `port`. Returns a function that stops answering. */
export function serveStoreOverPort(store: CostStore, port: MessagePort): () => void {
  let nextTx = 1;
  const open = new Map<number, { tx: CostStore; end(commit: boolean): Promise<void> }>();
  const reply = (r: Reply) => port.postMessage(r);
  const fail = (id: number, err: unknown) => {
    const te = toTallyError(err);
    reply({ id, ok: false, error: { code: te.code, message: te.message, details: te.details } });
  };
  const begin = (): Promise<number> =>
    new Promise((ready, failed) => {
      const txId = nextTx++;
      const done = store.transaction(
        (tx) =>
          new Promise<void>((commit, rollback) => {
            const timer = setTimeout(() => rollback(new Error('transaction timed out')), TX_TIMEOUT_MS);
            timer.unref();
            open.set(txId, {
              tx,
              end: async (ok) => {
                clearTimeout(timer);
                open.delete(txId);
                if (ok) commit();
                else rollback(new TallyError('internal', 'rolled back'));
                await done.catch(() => undefined);
              },
            });
            ready(txId);
          }),
      );
      done.catch((err: unknown) => {
        open.delete(txId);
        failed(err);
      });
    });
  const onMessage = (m: Call) => {
    void (async () => {
      try {
        if (m.method === 'begin') return reply({ id: m.id, ok: true, value: await begin() });
        if (m.method === 'commit' || m.method === 'rollback') {
          const t = m.tx === undefined ? undefined : open.get(m.tx);
          if (!t) throw new TallyError('conflict', `no open transaction ${String(m.tx)}`);
          await t.end(m.method === 'commit');
          return reply({ id: m.id, ok: true, value: null });
        }
        const target = m.tx === undefined ? store : open.get(m.tx)?.tx;
        if (!target) throw new TallyError('conflict', `no open transaction ${String(m.tx)}`);
        const fn = (target as unknown as Record<string, unknown>)[m.method];
        if (OWNER_ONLY.has(m.method) || typeof fn !== 'function')
          throw new TallyError('invalid_input', `store operation ${m.method} is not available here`);
        const value: unknown = await (fn as (...a: unknown[]) => unknown).apply(target, [...m.args]);
        reply({ id: m.id, ok: true, value });
      } catch (err) {
        fail(m.id, err);
      }
    })();
  };
  port.on('message', onMessage);
  return () => {
    port.off('message', onMessage);
    for (const t of open.values()) void t.end(false);
  };
}

/** Worker side: a CostStore whose operations run on the owner's store. `close` only detaches. */
export function storeOverPort(port: MessagePort, info: Pick<CostStore, 'backend' | 'location'>): CostStore {
  let nextId = 1;
  const pending = new Map<number, { ok(v: unknown): void; fail(e: unknown): void }>();
  port.on('message', (r: Reply) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (r.ok) p.ok(r.value);
    else p.fail(new TallyError(r.error.code, r.error.message, r.error.details));
  });
  const call = (method: string, args: readonly unknown[], tx?: number): Promise<unknown> =>
    new Promise((ok, fail) => {
      const id = nextId++;
      pending.set(id, { ok, fail });
      port.postMessage({ id, method, args, ...(tx === undefined ? {} : { tx }) } satisfies Call);
    });
  const make = (tx?: number): CostStore =>
    // A Proxy rather than a hand-written class: every named operation of CostStore (and any a backend adds)
    // forwards the same way, so the seam cannot drift from the interface.
    new Proxy({} as CostStore, {
      get(_t, name) {
        if (name === 'backend') return info.backend;
        if (name === 'location') return info.location;
        if (name === 'then' || typeof name !== 'string') return undefined;
        if (name === 'close') return () => Promise.resolve();
        if (name === 'transaction')
          return async <T>(fn: (s: CostStore) => Promise<T>): Promise<T> => {
            if (tx !== undefined) return fn(make(tx)); // nested: same transaction, as DuckDBStore does
            const id = (await call('begin', [])) as number;
            try {
              const out = await fn(make(id));
              await call('commit', [], id);
              return out;
            } catch (err) {
              await call('rollback', [], id).catch(() => undefined);
              throw err;
            }
          };
        return (...args: unknown[]) => call(name, args, tx);
      },
    });
  return make();
}
