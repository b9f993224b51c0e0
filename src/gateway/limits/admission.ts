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

const unitOf = (c: LimitCheck, n: bigint) => (c.kind === 'budget' ? `$${formatUsd(n, 6)}` : `${n} tokens`);

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
        `Token quota exhausted (rule ${c.rule}): ${unitOf(c, c.limit)} per window are used or reserved by ` +
          `requests in flight. The window resets in ${retryS}s.`,
        details,
      );
    case 'budget':
      return new TallyError(
        'budget_exceeded',
        `Budget exceeded (rule ${c.rule}): the budget of ${unitOf(c, c.limit)} for this window is spent or ` +
          `reserved by requests in flight. The window resets in ${retryS}s.`,
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
  const r = await store.reserve(requestId, checks, nowMs);
  const rate = checks.filter((c) => c.kind === 'rate');
  const headers: Record<string, string> = {};
  if (rate.length > 0) headers['x-ratelimit-limit-tokens'] = String(minOf(rate.map((c) => c.limit)));
  if (!r.ok) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(r.retryAfterMs / 1000)));
    if (r.check.kind === 'rate') headers['x-ratelimit-remaining-tokens'] = String(r.remaining);
    else if (rate.length > 0) headers['x-ratelimit-remaining-tokens'] = '0';
    return { ok: false, error: refusalError(r), headers };
  }
  if (rate.length > 0)
    headers['x-ratelimit-remaining-tokens'] = String(minOf(rate.map((c) => r.remaining.get(c.id) ?? 0n)));
  const quotas = checks.filter((c) => c.kind === 'quota');
  if (quotas.length > 0)
    headers['x-ratelimit-remaining-quota-tokens'] = String(
      minOf(quotas.map((c) => r.remaining.get(c.id) ?? 0n)),
    );
  if (r.softBreaches.length > 0)
    headers['x-tally-budget-warning'] = r.softBreaches.map((c) => c.rule).join(', ');
  return { ok: true, reservation: r.reservation, headers, softBreaches: r.softBreaches };
}

const minOf = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => (b < a ? b : a));
