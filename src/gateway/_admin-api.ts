/**
 * The gateway's admin API (`/admin/*`, admin token only): the usage report that sees every request answered
 * before it, and key management (list, create, revoke, rotate, reload the key cache).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { TallyError } from '../core/index.js';
import type { Ledger } from '../ledger/index.js';
import type { CostStore } from '../store/index.js';
import { parseJsonBody, readBody } from './_body.js';
import { sendJson } from './_http.js';
import type { Meter } from './_meter.js';
import { createKey, keySpecSchema, keyView, revokeKey, rotateKey, type KeyResolver } from './keys.js';
import { parseUsageBy, parseWindow, usageReport, type UsageHosting } from './usage-report.js';

/** What the admin routes use. */
export interface AdminDeps {
  readonly adminToken: Buffer;
  readonly store: CostStore;
  readonly ledger: Ledger;
  readonly meter: Meter;
  readonly keys: KeyResolver;
  /** Self-hosted deployments priced from their hours in the usage report (ADR 0026). */
  readonly hosting?: UsageHosting | undefined;
  /** Resolves once every request active now (but `self`) is answered and metered, or after `maxMs`. */
  waitForEarlier(self: ServerResponse, maxMs: number): Promise<void>;
}

/** True when the request carries the admin token (Bearer or x-tally-admin-token), compared in constant time. */
export function isAdmin(req: IncomingMessage, adminToken: Buffer): boolean {
  const h =
    req.headers['x-tally-admin-token'] ?? /^Bearer\s+(\S+)$/i.exec(req.headers['authorization'] ?? '')?.[1];
  if (typeof h !== 'string') return false;
  const b = Buffer.from(h);
  return b.length === adminToken.length && timingSafeEqual(b, adminToken);
}

type AdminRoute = {
  readonly method: 'GET' | 'POST';
  readonly path: RegExp;
  run(req: IncomingMessage, res: ServerResponse, url: URL, m: RegExpExecArray): Promise<void>;
};

function adminRoutes(d: AdminDeps): readonly AdminRoute[] {
  return [
    {
      method: 'GET',
      path: /^\/admin\/usage$/,
      async run(_req, res, url) {
        // Make every request answered before this one visible to the report: wait (2 s at most) until they
        // are metered, hand the meter's batch to the ledger, then flush the ledger into the store.
        await d.waitForEarlier(res, 2000);
        await d.meter.settled();
        await d.ledger.flush();
        const by = parseUsageBy(url.searchParams.get('by') ?? undefined);
        const w = parseWindow(
          url.searchParams.get('from') ?? undefined,
          url.searchParams.get('to') ?? undefined,
        );
        sendJson(res, 200, await usageReport(d.store, { by, ...w }, d.hosting));
      },
    },
    {
      method: 'GET',
      path: /^\/admin\/keys$/,
      async run(_req, res) {
        sendJson(res, 200, (await d.store.listKeys()).map(keyView));
      },
    },
    {
      method: 'POST',
      path: /^\/admin\/keys$/,
      async run(req, res) {
        const parsed = keySpecSchema.safeParse(parseJsonBody(await readBody(req, 65_536)));
        if (!parsed.success) throw new TallyError('invalid_input', `key spec: ${parsed.error.message}`);
        const { record, key } = await createKey(d.store, parsed.data);
        d.keys.clear();
        sendJson(res, 200, { id: record.id, key, ...keyView(record) });
      },
    },
    {
      method: 'POST',
      path: /^\/admin\/keys\/reload$/,
      async run(_req, res) {
        d.keys.clear();
        sendJson(res, 200, { ok: true });
      },
    },
    {
      method: 'POST',
      path: /^\/admin\/keys\/([^/]+)\/revoke$/,
      async run(_req, res, _url, m) {
        const rec = await revokeKey(d.store, decodeURIComponent(m[1]!));
        d.keys.clear();
        sendJson(res, 200, keyView(rec));
      },
    },
    {
      method: 'POST',
      path: /^\/admin\/keys\/([^/]+)\/rotate$/,
      async run(_req, res, _url, m) {
        const { record, key, replaced } = await rotateKey(d.store, decodeURIComponent(m[1]!));
        d.keys.clear();
        sendJson(res, 200, { id: record.id, key, replaced, ...keyView(record) });
      },
    },
  ];
}

/** The admin handler: checks the token, then finds the route in the table. */
export function createAdminHandler(
  d: AdminDeps,
): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  const routes = adminRoutes(d);
  return async (req, res, url) => {
    if (!isAdmin(req, d.adminToken)) throw new TallyError('unauthorized', 'admin token required');
    for (const r of routes) {
      if (r.method !== req.method) continue;
      const m = r.path.exec(url.pathname);
      if (m) return r.run(req, res, url, m);
    }
    throw new TallyError('not_found', `no admin route ${req.method} ${url.pathname}`);
  };
}
