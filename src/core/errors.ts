/**
 * One error family for all of Tally. Every failure that crosses a boundary (HTTP, CLI) is a TallyError
 * with a code from this closed set; the boundary maps the code to an HTTP status and a process exit code.
 */
export const ERROR_CODES = {
  invalid_input: { http: 400, exit: 2, openaiType: 'invalid_request_error' },
  invalid_config: { http: 500, exit: 78, openaiType: 'server_error' },
  unauthorized: { http: 401, exit: 77, openaiType: 'authentication_error' },
  forbidden: { http: 403, exit: 77, openaiType: 'permission_error' },
  not_found: { http: 404, exit: 66, openaiType: 'invalid_request_error' },
  payload_too_large: { http: 413, exit: 2, openaiType: 'invalid_request_error' },
  unsupported_media_type: { http: 415, exit: 2, openaiType: 'invalid_request_error' },
  rate_limited: { http: 429, exit: 75, openaiType: 'rate_limit_error' },
  quota_exceeded: { http: 403, exit: 75, openaiType: 'insufficient_quota' },
  budget_exceeded: { http: 403, exit: 75, openaiType: 'insufficient_quota' },
  policy_denied: { http: 403, exit: 77, openaiType: 'permission_error' },
  conflict: { http: 409, exit: 1, openaiType: 'invalid_request_error' },
  upstream_error: { http: 502, exit: 69, openaiType: 'api_error' },
  upstream_timeout: { http: 504, exit: 69, openaiType: 'api_error' },
  unavailable: { http: 503, exit: 69, openaiType: 'api_error' },
  store_locked: { http: 503, exit: 75, openaiType: 'api_error' },
  store_corrupt: { http: 500, exit: 74, openaiType: 'api_error' },
  io_error: { http: 500, exit: 74, openaiType: 'api_error' },
  internal: { http: 500, exit: 70, openaiType: 'server_error' },
} as const;

/** The closed set of error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Extra, safe-to-show facts about an error (file, line, field, rule, allowed values...). */
export type ErrorDetails = Record<string, unknown>;

/** The one error class Tally throws on purpose. `message` says what happened and what to do. */
export class TallyError extends Error {
  override readonly name = 'TallyError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** HTTP status for this error's code. */
  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  /** Process exit code for this error's code (sysexits-style). */
  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
}

/** Normalises anything thrown into a TallyError (unknown errors become `internal`). */
export function toTallyError(err: unknown): TallyError {
  if (err instanceof TallyError) return err;
  if (err instanceof Error) return new TallyError('internal', err.message, {}, { cause: err });
  return new TallyError('internal', String(err));
}

/** OpenAI-shaped error body, as the official SDKs parse it. */
export function toOpenAIErrorBody(err: TallyError): {
  error: { message: string; type: string; code: string; param: string | null };
} {
  const param = typeof err.details['param'] === 'string' ? err.details['param'] : null;
  return { error: { message: err.message, type: ERROR_CODES[err.code].openaiType, code: err.code, param } };
}
