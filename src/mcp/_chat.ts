/**
 * The model `tally ask` talks to, reached through Tally's own gateway (OpenAI-compatible chat completions with
 * a virtual key), so every question is metered, priced and attributed like any other request: the gateway's
 * `x-tally-cost-usd` header is the cost of each turn, and `x-tally-user` names the caller.
 */
import { TallyError, parseUsd, type ErrorCode } from '../core/index.js';
import type { ChatFn, ChatToolCall } from './_ask.js';

/** Resolves `env:NAME` (the variable's value) or a literal; invalid_config naming the field when unset. */
export function resolveKey(ref: string, field: string): string {
  if (!ref.startsWith('env:')) return ref;
  const v = process.env[ref.slice(4)];
  if (!v)
    throw new TallyError('invalid_config', `${field}: environment variable ${ref.slice(4)} is not set`, {
      field,
    });
  return v;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'invalid_input',
  401: 'invalid_config',
  404: 'invalid_config',
  413: 'payload_too_large',
  429: 'rate_limited',
  504: 'upstream_timeout',
};

/** A chat function that calls `model` at the gateway `url` with virtual key `key`, as end user `user`. */
export function gatewayChat(opts: {
  url: string;
  key: string;
  model: string;
  user: string;
  maxOutputTokens: number;
  timeoutMs: number;
}): ChatFn {
  const endpoint = `${opts.url.replace(/\/+$/, '')}/v1/chat/completions`;
  return async ({ messages, tools }) => {
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${opts.key}`,
          'content-type': 'application/json',
          'x-tally-user': opts.user,
        },
        body: JSON.stringify({
          model: opts.model,
          messages,
          ...(tools.length > 0 ? { tools, tool_choice: 'auto' } : {}),
          max_tokens: opts.maxOutputTokens,
          temperature: 0,
        }),
        redirect: 'error',
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (err) {
      throw new TallyError(
        'unavailable',
        `the gateway at ${opts.url} did not answer: ${(err as Error).message}`,
      );
    }
    const body = (await res.json().catch(() => null)) as {
      choices?: { message?: { content?: string | null; tool_calls?: ChatToolCall[] } }[];
      error?: { message?: string; code?: string | null; type?: string };
    } | null;
    if (!res.ok) {
      const code: ErrorCode =
        body?.error?.type === 'insufficient_quota'
          ? 'budget_exceeded'
          : (STATUS_CODES[res.status] ?? 'upstream_error');
      const hint = res.status === 401 ? ' (is assistant.key a live virtual key?)' : '';
      throw new TallyError(
        code,
        `the gateway refused the question (HTTP ${res.status}): ${body?.error?.message ?? 'no detail'}${hint}`,
      );
    }
    const message = body?.choices?.[0]?.message;
    if (!message) throw new TallyError('upstream_error', 'the model answered without a message');
    const costHeader = res.headers.get('x-tally-cost-usd');
    return {
      message: {
        content: message.content ?? null,
        ...(message.tool_calls ? { tool_calls: message.tool_calls } : {}),
      },
      costNanos: costHeader ? parseUsd(costHeader) : 0n,
    };
  };
}
