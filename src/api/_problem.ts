/** The one error shape of the API (RFC 9457 problem details, plus Tally's code). */
import type { Context } from 'hono';
import { TallyError, toTallyError } from '../core/index.js';

/** The body of every API error. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly details?: Record<string, unknown>;
}

/** Turns anything thrown into a problem response (internal errors say nothing about internals). */
export function problemResponse(c: Context, err: unknown): Response {
  const te = toTallyError(err);
  const safe = te.code === 'internal' ? new TallyError('internal', 'internal server error') : te;
  const body: Problem = {
    type: `urn:tally:error:${safe.code}`,
    title: safe.code.replace(/_/g, ' '),
    status: safe.httpStatus,
    code: safe.code,
    detail: safe.message,
    ...(Object.keys(safe.details).length > 0 ? { details: safe.details } : {}),
  };
  const retry = safe.details['retryAfterSeconds'];
  return c.newResponse(JSON.stringify(body), safe.httpStatus as 400, {
    'content-type': 'application/problem+json',
    ...(safe.code === 'rate_limited' && typeof retry === 'number' ? { 'retry-after': String(retry) } : {}),
  });
}
