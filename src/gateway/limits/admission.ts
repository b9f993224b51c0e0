/**
 * Admission: turns checks + a LimitStore into a decision the gateway can send. Refusals become the one
 * error family (429 rate_limited; 403 quota_exceeded / budget_exceeded) naming the rule, with the
 * `retry-after` and `x-ratelimit-*` headers clients (and the OpenAI SDK) understand.
 */
import { formatUsd, TallyError } from '../../core/index.js';
import type { LimitCheck, LimitStore, Reservation, ReserveRefused } from './limit-store.js';
import { buildLimitChecks, type LimitsConfig, type LimitSubject, type WorstCase } from './checks.js';

/** Admitted: keep the reservation for settlement; add the headers to the response. */
export interface Admitted {
  readonly ok: true;
  readonly reservation: Reservation | null;
  readonly headers: Record<string, string>;
  readonly softBreaches: readonly LimitCheck[];
}
/** Refused: send `error` with `headers`. */
export interface Refused {
  readonly ok: false;
  readonly error: TallyError;
  readonly headers: Record<string, string>;
}

// Budgets are named to the nano-dollar: a refusal says exactly what the request may cost and what is left.
const unitOf = (c: LimitCheck, n: bigint) => (c.kind === 'budget' ? `$${formatUsd(n, 9)}` : `${n} tokens`);

/** The error a refusal turns into; its message names the rule and what would fit. */
export function refusalError(r: ReserveRefused): TallyError {
  const c = r.check;
  const retryS = Math.max(1, Math.ceil(r.retryAfterMs / 1000));
  const details = { rule: c.rule, retryAfterSeconds: retryS, param: null };
  switch (c.kind) {
    case 'rate':
      return new TallyError(
        'rate_limited',
        `Rate limit reached (rule ${c.rule}): ${c.limit} tokens per minute; this request may use up to ` +
          `${c.amount} and ${r.remaining} are available now. Retry after ${retryS}s.`,
        details,
      );
    case 'quota':
      return new TallyError(
        'quota_exceeded',
        `Token quota exhausted (rule ${c.rule}): this request may use up to ${unitOf(c, c.amount)} and only ` +
          `${unitOf(c, r.remaining)} of the ${unitOf(c, c.limit)} per window are neither used nor reserved by ` +
          `requests in flight. Lower max_tokens or wait for the window to reset in ${retryS}s.`,
        details,
      );
    case 'budget':
      return new TallyError(
        'budget_exceeded',
        `Budget exceeded (rule ${c.rule}): this request may cost up to ${unitOf(c, c.amount)} and only ` +
          `${unitOf(c, r.remaining)} of the budget of ${unitOf(c, c.limit)} for this window is neither spent ` +
          `nor reserved by requests in flight. Lower max_tokens or wait for the window to reset in ${retryS}s.`,
        details,
      );
  }
}

/** Reserves a request's worst case on every applicable counter. */
export async function admitRequest(
  store: LimitStore,
  cfg: LimitsConfig | undefined,
  requestId: string,
  subject: LimitSubject,
  worst: WorstCase,
  nowMs: number,
): Promise<Admitted | Refused> {
  const checks = buildLimitChecks(cfg, subject, worst, nowMs);
  if (checks.length === 0) return { ok: true, reservation: null, headers: {}, softBreaches: [] };
  let r: Awaited<ReturnType<LimitStore['reserve']>>;
  try {
    r = await store.reserve(requestId, checks, nowMs);
  } catch (err) {
    if (!(err instanceof TallyError) || err.code !== 'unavailable') throw err;
    return withoutLimitStore(checks, err);
  }
  // One pass over the checks (this runs on every request): the tightest rate limit and what is left of it
  // and of the tightest quota.
  let rateLimit: bigint | null = null;
  let rateLeft: bigint | null = null;
  let quotaLeft: bigint | null = null;
  for (const c of checks) {
    if (c.kind === 'budget') continue;
    const left = r.ok ? (r.remaining.get(c.id) ?? 0n) : 0n;
    if (c.kind === 'rate') {
      if (rateLimit === null || c.limit < rateLimit) rateLimit = c.limit;
      if (rateLeft === null || left < rateLeft) rateLeft = left;
    } else if (quotaLeft === null || left < quotaLeft) quotaLeft = left;
  }
  const headers: Record<string, string> = {};
  if (rateLimit !== null) headers['x-ratelimit-limit-tokens'] = String(rateLimit);
  if (!r.ok) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(r.retryAfterMs / 1000)));
    if (r.check.kind === 'rate') headers['x-ratelimit-remaining-tokens'] = String(r.remaining);
    else if (rateLimit !== null) headers['x-ratelimit-remaining-tokens'] = '0';
    return { ok: false, error: refusalError(r), headers };
  }
  if (rateLeft !== null) headers['x-ratelimit-remaining-tokens'] = String(rateLeft);
  if (quotaLeft !== null) headers['x-ratelimit-remaining-quota-tokens'] = String(quotaLeft);
  if (r.softBreaches.length > 0)
    headers['x-tally-budget-warning'] = r.softBreaches.map((c) => c.rule).join(', ');
  return { ok: true, reservation: r.reservation, headers, softBreaches: r.softBreaches };
}

/**
 * The limits store is unreachable (ADR 0020). A hard budget or quota cannot be checked, so the request is
 * refused (503, retry soon): overspend cannot be taken back. Rate limits and soft checks degrade open, since a
 * TPM overrun costs nothing the upstream's own throttling does not already bound; the answer says so.
 */
function withoutLimitStore(checks: readonly LimitCheck[], cause: TallyError): Admitted | Refused {
  const closed = checks.find((c) => c.hard && c.kind !== 'rate');
  if (closed)
    return {
      ok: false,
      error: new TallyError(
        'unavailable',
        `Limits unavailable: the hard ${closed.kind} (rule ${closed.rule}) cannot be checked because the ` +
          `shared limits store is unreachable, so the request was not sent. Retry shortly.`,
        { rule: closed.rule, retryAfterSeconds: 1, param: null },
        { cause },
      ),
      headers: { 'retry-after': '1' },
    };
  return { ok: true, reservation: null, headers: { 'x-tally-limits': 'degraded' }, softBreaches: [] };
}
