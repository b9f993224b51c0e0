/** The gateway's response writers: JSON answers and OpenAI-shaped errors, redacted and never leaking internals. */
import type { ServerResponse } from 'node:http';
import { TallyError, toOpenAIErrorBody, toTallyError } from '../core/index.js';
import type { Redactor } from './_redact.js';

/** Writes a JSON answer (nothing when the response is already under way or gone). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** Writes an error in OpenAI's shape with retry and rate-limit headers; mid-stream, ends the stream instead. */
export function sendError(
  res: ServerResponse,
  err: unknown,
  headers: Record<string, string> = {},
  redactor?: Redactor,
): void {
  const te = redactor ? redactor.error(err) : toTallyError(err);
  if (res.headersSent) {
    // Mid-stream failure: the status is gone; end the stream so the client sees it stop.
    res.destroy();
    return;
  }
  const h = { ...headers };
  const retry = te.details['retryAfterSeconds'];
  if (typeof retry === 'number') h['retry-after'] = String(Math.ceil(retry));
  const remaining = te.details['remainingTokens'];
  if (typeof remaining === 'number') h['x-ratelimit-remaining-tokens'] = String(remaining);
  // Internal errors say nothing about internals (no stack, no paths, no secrets).
  const safe = te.code === 'internal' ? new TallyError('internal', 'internal gateway error') : te;
  sendJson(res, te.httpStatus, toOpenAIErrorBody(safe), h);
}
