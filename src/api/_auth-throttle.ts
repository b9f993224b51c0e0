/**
 * Failed authentications per client address: after `failures` wrong tokens (bearer or sign-in form) within
 * `windowMs`, the address is refused with a 429 until its window passes, whatever it sends. Tokens are 192-bit
 * random, so this is not what keeps them unguessable; it keeps a guesser from using the server's CPU and
 * store lookups at full speed and makes the attempt visible (429s).
 */
import { TallyError } from '../core/index.js';

interface Window {
  count: number;
  since: number;
}

/**
 * Wrong tokens an address may send per window. Generous on purpose: a scan of every endpoint with one stale token
 * still gets its 401s, while a guesser is held to under two tries a second.
 */
export const AUTH_FAILURES_PER_WINDOW = 100;

/** At most this many addresses are remembered (a spray of addresses cannot grow the map without bound). */
const MAX_ADDRESSES = 10_000;

/** Counts failed authentications per address. */
export class AuthThrottle {
  private readonly seen = new Map<string, Window>();

  constructor(
    private readonly failures = AUTH_FAILURES_PER_WINDOW,
    private readonly windowMs = 60_000,
  ) {}

  /** Throws rate_limited (429) when the address failed too often in its current window. */
  check(address: string, nowMs: number): void {
    const w = this.seen.get(address);
    if (!w) return;
    if (nowMs - w.since >= this.windowMs) {
      this.seen.delete(address);
      return;
    }
    if (w.count >= this.failures)
      throw new TallyError(
        'rate_limited',
        `too many failed sign-ins from this address; try again in ${Math.ceil((w.since + this.windowMs - nowMs) / 1000)} s`,
        { retryAfterSeconds: Math.ceil((w.since + this.windowMs - nowMs) / 1000) },
      );
  }

  /** Records a failed authentication. */
  failed(address: string, nowMs: number): void {
    const w = this.seen.get(address);
    if (w && nowMs - w.since < this.windowMs) {
      w.count += 1;
      return;
    }
    if (this.seen.size >= MAX_ADDRESSES) this.prune(nowMs);
    this.seen.set(address, { count: 1, since: nowMs });
  }

  private prune(nowMs: number): void {
    for (const [k, w] of this.seen) if (nowMs - w.since >= this.windowMs) this.seen.delete(k);
    // Still full: forget the oldest (insertion order) rather than grow.
    while (this.seen.size >= MAX_ADDRESSES) this.seen.delete(this.seen.keys().next().value!);
  }
}

/** The client address of a request served by @hono/node-server (its socket's), or "local" without a socket. */
export function clientAddress(env: unknown): string {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'local';
}
