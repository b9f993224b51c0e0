/**
 * Failed authentications per client address: once an address has sent `failures` wrong tokens (bearer or sign-in
 * form) within `windowMs`, its further wrong tokens are answered 429 with Retry-After instead of 401 until the
 * window passes. A right token is checked first and always passes, so a flood of wrong tokens from one address (or
 * from everyone behind a proxy that shares it) never locks out its users or the owner's CLI. Tokens are 192-bit
 * random, so this is not what keeps them unguessable; it makes a guesser visible (429s) and tells it to slow down.
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

  /**
   * Records a failed authentication; throws rate_limited (429) when the address has now failed more than the
   * allowance in its current window (the caller answers that instead of 401).
   */
  failed(address: string, nowMs: number): void {
    let w = this.seen.get(address);
    if (!w || nowMs - w.since >= this.windowMs) {
      if (!w && this.seen.size >= MAX_ADDRESSES) this.prune(nowMs);
      w = { count: 0, since: nowMs };
      this.seen.set(address, w);
    }
    w.count += 1;
    if (w.count > this.failures) {
      const retryAfterSeconds = Math.ceil((w.since + this.windowMs - nowMs) / 1000);
      throw new TallyError(
        'rate_limited',
        `too many failed sign-ins from this address; try again in ${retryAfterSeconds} s`,
        { retryAfterSeconds },
      );
    }
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
