/**
 * The wire layer: which endpoint a path is (OpenAI `/v1/...` or Azure `/openai/deployments/{d}/...`), and the
 * request context built from a validated body. Paths are matched exactly after decoding once; anything else
 * is a 404 in OpenAI's error shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { TallyError } from '../core/index.js';
import { dropHostFields } from './_body.js';
import type { GatewayServices, Operation, RequestContext } from './_context.js';

// Request ids: time (ms, base 36) + a random per-process prefix + a counter. Unique across processes and
// restarts without drawing 16 random bytes per request (that alone was ~5% of the gateway's CPU).
const PROCESS_TAG = randomBytes(6).toString('hex');
let counter = 0;

/** A new request id, ordered by time within a process. */
export function newRequestId(now: number): string {
  counter = (counter + 1) % 0x7fffffff;
  return `req_${now.toString(36)}${PROCESS_TAG}${counter.toString(36).padStart(6, '0')}`;
}

/** A matched API endpoint. */
export interface Endpoint {
  readonly operation: Operation;
  readonly wire: 'openai' | 'azure';
  readonly deployment: string | null;
}

const OPENAI: Record<string, Operation> = {
  '/v1/chat/completions': 'chat',
  '/v1/embeddings': 'embeddings',
  '/v1/responses': 'responses',
  '/openai/v1/chat/completions': 'chat',
  '/openai/v1/embeddings': 'embeddings',
  '/openai/v1/responses': 'responses',
};
const AZURE_RE = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings|responses)$/;

/** Matches a POST path to an endpoint, or null. */
export function matchEndpoint(pathname: string): Endpoint | null {
  const op = OPENAI[pathname];
  if (op) return { operation: op, wire: 'openai', deployment: null };
  const m = AZURE_RE.exec(pathname);
  if (!m) return null;
  let deployment: string;
  try {
    deployment = decodeURIComponent(m[1]!);
  } catch {
    return null;
  }
  const kind = m[2]!;
  return {
    operation: kind === 'embeddings' ? 'embeddings' : kind === 'responses' ? 'responses' : 'chat',
    wire: 'azure',
    deployment,
  };
}

/**
 * Every field a provider reads as an output cap (chat: max_tokens and max_completion_tokens; Responses:
 * max_output_tokens; self-hosted servers: max_new_tokens). Limits and policy use the largest one present.
 */
export const OUTPUT_CAP_FIELDS = [
  'max_tokens',
  'max_completion_tokens',
  'max_output_tokens',
  'max_new_tokens',
] as const;
/** Completions a request may ask for (`n`); OpenAI's own maximum is 128. */
const MAX_N = 128;

/**
 * Refuses counts the reservation could misread: `n` and output caps must be integers (a string "5" or 2.5 is
 * not silently read as "unset", which reserved one completion while the upstream might serve five).
 */
function checkCounts(body: Record<string, unknown>): void {
  const n = body['n'];
  if (n !== undefined && n !== null && !(Number.isInteger(n) && (n as number) >= 1 && (n as number) <= MAX_N))
    throw new TallyError('invalid_input', `"n" must be an integer from 1 to ${MAX_N}`, { param: 'n' });
  for (const f of OUTPUT_CAP_FIELDS) {
    const v = body[f];
    if (v !== undefined && v !== null && !(Number.isInteger(v) && (v as number) >= 0))
      throw new TallyError('invalid_input', `"${f}" must be a non-negative integer`, { param: f });
  }
}

/** Builds the request context from a matched endpoint and a parsed body. */
export function buildContext(
  ep: Endpoint,
  body: Record<string, unknown>,
  req: IncomingMessage,
  res: ServerResponse,
  services: GatewayServices,
  startTime: number,
): RequestContext {
  dropHostFields(body);
  const model = ep.deployment ?? body['model'];
  if (typeof model !== 'string' || model === '')
    throw new TallyError('invalid_input', 'you must provide a model parameter', { param: 'model' });
  const stream = body['stream'] === true;
  if (body['stream'] !== undefined && typeof body['stream'] !== 'boolean')
    throw new TallyError('invalid_input', '"stream" must be a boolean', { param: 'stream' });
  checkCounts(body);
  const so = body['stream_options'];
  const clientWantsUsage =
    typeof so === 'object' && so !== null && (so as Record<string, unknown>)['include_usage'] === true;
  const headerUser = req.headers['x-tally-user'];
  const endUser =
    typeof headerUser === 'string' && headerUser
      ? headerUser.slice(0, 256)
      : typeof body['user'] === 'string'
        ? body['user'].slice(0, 256)
        : null;
  const requestTags = parseRequestTags(req.headers['x-tally-tags'], services.config.policy);
  const id = newRequestId(startTime);
  return {
    id,
    startTime,
    startedAt: performance.now(),
    upstreamMs: 0,
    operation: ep.operation,
    wire: ep.wire,
    pathDeployment: ep.deployment,
    body,
    requestModel: model,
    stream,
    clientWantsUsage,
    key: null,
    endUser,
    requestTags,
    targets: [],
    target: null,
    attempts: 0,
    maxAttempts: 0,
    cacheOutcome: 'none',
    responseHeaders: { 'x-tally-request-id': id },
    gov: {},
    services,
    req,
    res,
  };
}

/** The secret a client presented: `Authorization: Bearer …` (OpenAI SDK) or `api-key` (Azure SDK). */
export function presentedKey(req: IncomingMessage): string | null {
  const a = req.headers['authorization'];
  if (typeof a === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(a);
    if (m) return m[1]!;
  }
  const k = req.headers['api-key'];
  return typeof k === 'string' && k.trim() ? k.trim() : null;
}

const TAG_KEY = /^[A-Za-z0-9_.:-]{1,64}$/;
// At most this many tags per request, values up to 128 characters: they land on every usage event.
const MAX_REQUEST_TAGS = 16;
const MAX_TAG_VALUE = 128;
// Visible characters and spaces only (no control characters) in a tag value.
const PRINTABLE = /^[^\p{Cc}]+$/u;

/**
 * Parses `x-tally-tags: feature=summary,prompt=v3` against `policy.requestTagKeys`. No header: null. A key not
 * allowed, the restricted-deployment approval tag (keys only grant that), or a malformed pair: 400.
 */
export function parseRequestTags(
  header: string | string[] | undefined,
  policy: GatewayServices['config']['policy'],
): Record<string, string> | null {
  if (header === undefined) return null;
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text.trim() === '') return null;
  const allowed = policy?.requestTagKeys ?? [];
  const bad = (message: string) =>
    new TallyError('invalid_input', `x-tally-tags: ${message}`, { param: 'x-tally-tags' });
  if (allowed.length === 0)
    throw bad('request tags are not enabled (list the keys in policy.requestTagKeys)');
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const pairs = text.split(',');
  if (pairs.length > MAX_REQUEST_TAGS) throw bad(`at most ${MAX_REQUEST_TAGS} tags`);
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (
      eq <= 0 ||
      !TAG_KEY.test(key) ||
      value === '' ||
      value.length > MAX_TAG_VALUE ||
      !PRINTABLE.test(value)
    )
      throw bad(`"${pair.trim().slice(0, 80)}" is not key=value`);
    if (!allowed.includes(key) || key === policy?.restrictedDeployments?.approvalTag)
      throw bad(`tag "${key}" is not allowed; allowed: ${allowed.join(', ')}`);
    out[key] = value;
  }
  return { ...out };
}
