/**
 * A mock OpenAI / Azure OpenAI upstream for tests and benchmarks (a real HTTP server on port 0). It answers
 * chat, embeddings and responses with fixed, known usage, streams SSE with or without the usage chunk, and
 * misbehaves on request: the deployment or model name picks a fault (429, 500, html, hang, slow, reset, cut,
 * nousage: no usage anywhere; cutusage: a stream cut after its usage chunk; maxout: reports as many completion
 * tokens as the request's largest output cap; echo: a 400 error that echoes the credential it was sent). A
 * `chat` script turns it into a model that calls tools (answers with `tool_calls`), for `tally ask` tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the mock received. */
export interface MockCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | null;
}

/** A running mock upstream. */
export interface MockUpstream {
  readonly url: string;
  readonly server: Server;
  readonly calls: MockCall[];
  /** Words the stream sends (one per chunk) and the reply text. */
  readonly words: readonly string[];
  close(): Promise<void>;
}

/** The bearer token the mock's Entra ID endpoint issues. */
export const MOCK_ENTRA_TOKEN = 'entra-access-token-from-mock';

/** Usage the mock reports for every chat answer. */
export const MOCK_USAGE = {
  prompt_tokens: 20,
  completion_tokens: 10,
  cached_tokens: 5,
  reasoning_tokens: 2,
} as const;

const WORDS = ['Hello', ' there', ',', ' this', ' is', ' a', ' mock', ' reply', ' from', ' upstream', '.'];

/** Prompt tokens a deployment whose name contains "longprompt" reports (past the 1,024 a prompt cache needs). */
export const LONG_PROMPT_TOKENS = 2000;

function usageJson(
  completion: number = MOCK_USAGE.completion_tokens,
  prompt: number = MOCK_USAGE.prompt_tokens,
): Record<string, unknown> {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: MOCK_USAGE.cached_tokens },
    completion_tokens_details: { reasoning_tokens: MOCK_USAGE.reasoning_tokens },
  };
}

/** How late a deployment whose name contains "slow" answers, ms. */
export const SLOW_MS = 300;

/** A scripted chat answer: text, or tool calls for the client to make (OpenAI `tool_calls`). */
export interface ScriptedAnswer {
  readonly content?: string | null;
  readonly toolCalls?: readonly { readonly name: string; readonly arguments: unknown }[];
}

/**
 * Starts the mock. `record: false` keeps no call log (benchmarks). `chunkDelayMs` spaces stream chunks.
 * `chat` scripts non-streamed chat answers (a model that calls tools): given the request body, an answer, or
 * null for the fixed reply. Usage stays MOCK_USAGE either way, so the metered cost is known.
 */
export async function startMockUpstream(
  opts: {
    record?: boolean;
    chunkDelayMs?: number;
    chat?: (body: Record<string, unknown>) => ScriptedAnswer | null;
  } = {},
): Promise<MockUpstream> {
  const calls: MockCall[] = [];
  const record = opts.record ?? true;
  let callSeq = 1;
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      let body: Record<string, unknown> | null = null;
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
      } catch {
        body = null;
      }
      const path = req.url ?? '/';
      if (record) calls.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
      if (/\/oauth2\/v2\.0\/token$/.test(path)) {
        // Entra ID client-credentials endpoint (authorityHost points here in tests).
        const form = new URLSearchParams(text);
        const ok =
          form.get('grant_type') === 'client_credentials' && form.get('client_secret') === 'entra-secret';
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            ok
              ? { access_token: MOCK_ENTRA_TOKEN, token_type: 'Bearer', expires_in: 3600 }
              : { error: 'invalid_client' },
          ),
        );
        return;
      }
      const dep = /\/deployments\/([^/]+)\//.exec(path)?.[1] ?? String(body?.['model'] ?? '');
      const fault = /(fail-429|fail-500|html|hang|reset|cutusage|cut|nousage|maxout|echo)/.exec(dep)?.[1];
      if (fault === 'echo') {
        // A careless upstream that echoes the credential it received in its error message.
        const cred = String(req.headers['api-key'] ?? req.headers['authorization'] ?? '');
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: {
              message: `Invalid request for key ${cred}: unsupported parameter`,
              type: 'invalid_request_error',
              code: 'unsupported_parameter',
              param: 'temperature',
              internal_trace: `auth=${cred}`,
            },
          }),
        );
        return;
      }
      if (fault === 'fail-429') {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify({ error: { message: 'Rate limit', type: 'rate_limit_error', code: '429' } }));
        return;
      }
      if (fault === 'fail-500') {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'boom', type: 'server_error', code: null } }));
        return;
      }
      if (fault === 'html') {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
        return;
      }
      if (fault === 'hang') return; // never answers
      if (/slow/.test(dep)) {
        // A slow upstream: the whole answer leaves SLOW_MS late (headers go out with the body).
        const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
        res.end = ((...a: unknown[]) => {
          setTimeout(() => end(...a), SLOW_MS);
          return res;
        }) as typeof res.end;
      }
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      if (path.includes('/embeddings')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            object: 'list',
            data: [
              {
                object: 'embedding',
                index: 0,
                // The SDK asks for base64 (little-endian float32) by default.
                embedding:
                  body?.['encoding_format'] === 'base64'
                    ? Buffer.from(new Float32Array([0.1, 0.2, 0.3]).buffer).toString('base64')
                    : [0.1, 0.2, 0.3],
              },
            ],
            model: dep,
            usage: { prompt_tokens: 8, total_tokens: 8 },
          }),
        );
        return;
      }
      if (path.includes('/responses')) {
        const response = {
          id: 'resp_mock',
          object: 'response',
          created_at: 1,
          status: 'completed',
          model: dep,
          output: [
            {
              type: 'message',
              id: 'msg_1',
              status: 'completed',
              role: 'assistant',
              content: [{ type: 'output_text', text: WORDS.join(''), annotations: [] }],
            },
          ],
          usage: {
            input_tokens: MOCK_USAGE.prompt_tokens,
            input_tokens_details: { cached_tokens: MOCK_USAGE.cached_tokens },
            output_tokens: MOCK_USAGE.completion_tokens,
            output_tokens_details: { reasoning_tokens: MOCK_USAGE.reasoning_tokens },
            total_tokens: MOCK_USAGE.prompt_tokens + MOCK_USAGE.completion_tokens,
          },
        };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(response));
        return;
      }
      const base = { id: 'chatcmpl-mock', created: 1, model: dep, system_fingerprint: 'fp_mock' };
      if (body?.['stream'] === true) {
        const withUsage =
          (body['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage === true &&
          fault !== 'nousage';
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const events: string[] = [];
        const u = withUsage ? { usage: null } : {};
        events.push(
          JSON.stringify({
            ...base,
            object: 'chat.completion.chunk',
            choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
            ...u,
          }),
        );
        for (const w of WORDS)
          events.push(
            JSON.stringify({
              ...base,
              object: 'chat.completion.chunk',
              choices: [{ index: 0, delta: { content: w }, finish_reason: null }],
              ...u,
            }),
          );
        events.push(
          JSON.stringify({
            ...base,
            object: 'chat.completion.chunk',
            choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
            ...u,
          }),
        );
        if (withUsage)
          events.push(
            JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage: usageJson() }),
          );
        // cut: stops after 4 events; cutusage: stops after the usage chunk, before [DONE].
        const cutAt = fault === 'cut' ? 4 : fault === 'cutusage' ? events.length : Infinity;
        const delay = opts.chunkDelayMs ?? 0;
        let i = 0;
        const next = (): void => {
          if (res.destroyed) return;
          if (i >= cutAt) {
            res.socket?.destroy();
            return;
          }
          if (i < events.length) {
            res.write(`data: ${events[i++]}\n\n`);
            if (delay) setTimeout(next, delay);
            else setImmediate(next);
            return;
          }
          res.end('data: [DONE]\n\n');
        };
        next();
        return;
      }
      const caps = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'].map((k) =>
        Number(body?.[k] ?? 0),
      );
      const completion = fault === 'maxout' ? Math.max(...caps) : MOCK_USAGE.completion_tokens;
      const scripted = body && path.includes('/chat/completions') ? (opts.chat?.(body) ?? null) : null;
      if (scripted) {
        const calls = (scripted.toolCalls ?? []).map((c, i) => ({
          id: `call_${callSeq++}_${i}`,
          type: 'function',
          function: { name: c.name, arguments: JSON.stringify(c.arguments) },
        }));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            ...base,
            object: 'chat.completion',
            choices: [
              {
                index: 0,
                message: {
                  role: 'assistant',
                  content: scripted.content ?? null,
                  ...(calls.length > 0 ? { tool_calls: calls } : {}),
                  refusal: null,
                },
                finish_reason: calls.length > 0 ? 'tool_calls' : 'stop',
                logprobs: null,
              },
            ],
            usage: usageJson(),
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: WORDS.join(''), refusal: null },
              finish_reason: 'stop',
              logprobs: null,
            },
          ],
          ...(fault === 'nousage'
            ? {}
            : { usage: usageJson(completion, dep.includes('longprompt') ? LONG_PROMPT_TOKENS : undefined) }),
        }),
      );
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    calls,
    words: WORDS,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
