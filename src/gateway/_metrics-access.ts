/**
 * Who may read `/metrics`. The metrics name every team and app with its spend, so a tenant holding only a
 * virtual key must not read them: by default only callers on this host (loopback) and callers presenting the
 * metrics or admin token may. `gateway.metrics.public: true` opens them (a scrape network that only
 * Prometheus reaches).
 */
import { timingSafeEqual } from 'node:crypto';

/** The access rule, built once from config. */
export interface MetricsAccess {
  readonly public: boolean;
  /** Tokens accepted as `Authorization: Bearer <token>` (metrics token, admin token). */
  readonly tokens: readonly Buffer[];
}

/** True for IPv4 127.0.0.0/8, IPv6 ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** Whether a caller (its socket's remote address and Authorization header) may read the metrics. */
export function canReadMetrics(
  access: MetricsAccess,
  remoteAddress: string | undefined,
  authorization: string | undefined,
): boolean {
  if (access.public || isLoopback(remoteAddress)) return true;
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (!presented) return false;
  const b = Buffer.from(presented);
  return access.tokens.some((t) => t.length === b.length && timingSafeEqual(t, b));
}
