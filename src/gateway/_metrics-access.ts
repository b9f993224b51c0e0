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
  /** Believe the client address a local reverse proxy forwards (gateway.trustProxy). */
  readonly trustProxy?: boolean;
}

/** Headers a reverse proxy adds to say whom it relays for. */
const FORWARDING_HEADERS = [
  'forwarded',
  'x-forwarded-for',
  'x-real-ip',
  'x-forwarded-host',
  'x-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-cluster-client-ip',
  'x-original-forwarded-for',
] as const;

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The address the request comes from. Without `trustProxy`, any forwarding header makes the caller unknown
 * (null): a reverse proxy on this host relays strangers, and its loopback socket proves nothing. With it, the
 * address the proxy appended last (the hop it saw) is the caller.
 */
export function callerAddress(
  remoteAddress: string | undefined,
  headers: Headers,
  trustProxy: boolean,
): string | null {
  const forwarded = FORWARDING_HEADERS.some((h) => headers[h] !== undefined);
  if (!forwarded) return remoteAddress ?? null;
  if (!trustProxy || !isLoopback(remoteAddress)) return null;
  const one = (h: string): string | undefined => {
    const v = headers[h];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const xff = one('x-forwarded-for');
  if (xff) return xff.split(',').at(-1)!.trim();
  const fwd = one('forwarded');
  if (fwd) {
    const m = /for="?\[?([^\]";,]+)/i.exec(fwd.split(',').at(-1)!);
    return m ? m[1]!.trim() : null;
  }
  return one('x-real-ip')?.trim() ?? null;
}

/** True for IPv4 127.0.0.0/8, IPv6 ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/**
 * Whether a caller may read the metrics: its socket's remote address, its headers (forwarding headers and
 * Authorization). Loopback callers need no token unless a proxy forwarded the request (see callerAddress).
 */
export function canReadMetrics(
  access: MetricsAccess,
  remoteAddress: string | undefined,
  headers: Headers,
): boolean {
  if (access.public) return true;
  const caller = callerAddress(remoteAddress, headers, access.trustProxy ?? false);
  if (caller !== null && isLoopback(caller)) return true;
  const auth = headers['authorization'];
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(typeof auth === 'string' ? auth : '')?.[1];
  if (!presented) return false;
  const b = Buffer.from(presented);
  return access.tokens.some((t) => t.length === b.length && timingSafeEqual(t, b));
}
