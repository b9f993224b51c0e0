/**
 * Leaks and trust at the gateway (issue 15, classes 7, 8, 10 and the smaller gateway items): what strangers
 * send does not shape metrics or the ledger, upstream error bodies are sanitised, /metrics behind a local proxy
 * is private, and malformed or slow input is refused clearly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { readGatewayState } from '../src/gateway/index.js';
import { startGovernance, type GovHarness } from './_governance-harness.js';

let h: GovHarness;
before(async () => {
  h = await startGovernance(
    `  server: { requestTimeoutMs: 1000, headersTimeoutMs: 1000, maxConnectionsPerClient: 40 }
  cache:
    exact: { enabled: true }
    semantic: { enabled: true, embeddingModel: text-embedding-3-small, threshold: 0.5 }
    perUserApps: [tutor]
policy:
  environments:
    dev: { allowModels: [gpt-4o-mini] }
`,
    {
      ml: { team: 'ml', app: 'bot', environment: 'prod' },
      tutor: { team: 'edu', app: 'tutor', environment: 'prod' },
      dev: { team: 'ml', app: 'sandbox', environment: 'dev' },
    },
  );
});
after(async () => {
  await h.close();
});

const json = (body: unknown, label?: string, headers: Record<string, string> = {}) =>
  fetch(`${h.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(label ? { authorization: `Bearer ${h.keys[label]}` } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function metricsText(): Promise<string> {
  const r = await fetch(`${h.gw.url}/metrics`);
  assert.equal(r.status, 200);
  return r.text();
}

test('class 7: unauthenticated and unrouted input does not shape metrics labels or ledger rows', async () => {
  for (let i = 0; i < 30; i++) {
    const r = await json({ model: `junk-anon-${i}`, user: `junk-user-${i}`, messages: [] });
    assert.equal(r.status, 401);
    await r.arrayBuffer();
  }
  for (let i = 0; i < 10; i++) {
    const r = await json({ model: `junk-keyed-${i}`, messages: [] }, 'ml');
    assert.equal(r.status, 404);
    await r.arrayBuffer();
  }
  // Bad input from a valid key is attributed to its tenant.
  const bad = await json('{"model": "gpt-4o", "messages": [', 'ml');
  assert.equal(bad.status, 400);
  await bad.arrayBuffer();
  const text = await metricsText();
  assert.doesNotMatch(text, /junk/);
  assert.match(text, /model="unknown"/);
  const st = readGatewayState(h.fx.dbPath)!;
  const usage = await fetch(`${h.gw.url}/admin/usage?by=request_model,end_user,team`, {
    headers: { 'x-tally-admin-token': st.adminToken },
  });
  const rows = (await usage.json()) as Record<string, string | number | null>[];
  assert.ok(
    rows.every((r) => !String(r['requestModel']).includes('junk')),
    'no junk model rows',
  );
  assert.ok(
    rows.every((r) => !String(r['endUser']).includes('junk')),
    'no junk user rows',
  );
  const ml = rows.filter((r) => r['team'] === 'ml').reduce((n, r) => n + Number(r['errors']), 0);
  assert.ok(ml >= 11, `the key's 404s and its bad JSON are on team ml (got ${ml} errors)`);
});

test('class 8: upstream error bodies are relayed sanitised, with the upstream status and code', async () => {
  const r = await json({ model: 'echo', messages: [{ role: 'user', content: 'hi' }] }, 'ml');
  const text = await r.text();
  assert.equal(r.status, 400);
  assert.doesNotMatch(text, /aoai-upstream-secret-canary/);
  assert.doesNotMatch(text, /internal_trace/);
  const body = JSON.parse(text) as { error: { code: string; type: string; message: string; param: string } };
  assert.equal(body.error.code, 'unsupported_parameter');
  assert.equal(body.error.type, 'invalid_request_error');
  assert.equal(body.error.param, 'temperature');
  assert.match(body.error.message, /unsupported parameter/);
});

test('class 10: /metrics from this host through a reverse proxy needs the token (forwarding headers present)', async () => {
  const proxied: Record<string, string>[] = [
    { 'x-forwarded-for': '203.0.113.7' },
    { forwarded: 'for=203.0.113.7' },
    { 'x-real-ip': '203.0.113.7' },
  ];
  for (const headers of proxied) {
    const r = await fetch(`${h.gw.url}/metrics`, { headers });
    assert.equal(r.status, 401, JSON.stringify(headers));
    await r.arrayBuffer();
  }
  const st = readGatewayState(h.fx.dbPath)!;
  const ok = await fetch(`${h.gw.url}/metrics`, {
    headers: { 'x-forwarded-for': '203.0.113.7', authorization: `Bearer ${st.adminToken}` },
  });
  assert.equal(ok.status, 200);
  await ok.arrayBuffer();
});

test('deeply nested JSON answers 400, with the caches on', async () => {
  const deep = `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"metadata":${'['.repeat(5000)}${']'.repeat(5000)}}`;
  const r = await json(deep, 'ml');
  const body = (await r.json()) as { error: { type: string } };
  assert.equal(r.status, 400);
  assert.equal(body.error.type, 'invalid_request_error');
});

test('the cache key includes the end user where the app says answers are per user', async () => {
  const ask = (label: string, user: string) =>
    json({ model: 'gpt-4o', user, messages: [{ role: 'user', content: 'what is my balance?' }] }, label);
  const a = await ask('tutor', 'alice');
  await a.arrayBuffer();
  const b = await ask('tutor', 'bob');
  await b.arrayBuffer();
  assert.equal(b.headers.get('x-tally-cache'), 'miss', 'bob must not get alice’s answer');
  const again = await ask('tutor', 'alice');
  await again.arrayBuffer();
  assert.match(again.headers.get('x-tally-cache') ?? '', /^hit/);
  // Apps without the flag still share answers across their users.
  await (await ask('ml', 'alice')).arrayBuffer();
  const shared = await ask('ml', 'bob');
  await shared.arrayBuffer();
  assert.match(shared.headers.get('x-tally-cache') ?? '', /^hit/);
});

test('/v1/models lists only the models the key may use', async () => {
  const r = await fetch(`${h.gw.url}/v1/models`, { headers: { authorization: `Bearer ${h.keys['dev']}` } });
  const body = (await r.json()) as { data: { id: string }[] };
  const ids = body.data.map((m) => m.id);
  assert.ok(ids.length > 0);
  assert.ok(!ids.includes('gpt-4o'), `dev may not use gpt-4o: ${ids.join(', ')}`);
  assert.ok(ids.includes('gpt-4o-mini'));
});

function rawSocket(): Promise<Socket> {
  const u = new URL(h.gw.url);
  return new Promise((ok, fail) => {
    const s = connect(Number(u.port), u.hostname, () => ok(s));
    s.once('error', fail);
  });
}
const closed = (s: Socket) =>
  new Promise<string>((ok) => {
    let data = '';
    s.on('data', (b) => (data += b.toString()));
    s.on('error', () => undefined);
    s.once('close', () => ok(data));
  });

test(
  'a request with both Content-Length and Transfer-Encoding, or two Content-Lengths, is refused whole: nothing is smuggled behind it',
  { timeout: 15_000 },
  async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const smuggled = 'GET /admin/keys HTTP/1.1\r\nhost: x\r\n\r\n';
    const head = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${h.keys['ml']}\r\ncontent-type: application/json\r\n`;
    for (const request of [
      `${head}content-length: ${body.length + 10}\r\ntransfer-encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n${smuggled}`,
      `${head}content-length: ${body.length}\r\ncontent-length: 3\r\n\r\n${body}${smuggled}`,
    ]) {
      const s = await rawSocket();
      const done = closed(s);
      s.write(request);
      const answer = await done;
      assert.match(answer, /^HTTP\/1\.1 400/);
      assert.equal(answer.match(/HTTP\/1\.1 /g)?.length, 1, 'one answer: the smuggled request never ran');
    }
  },
);

// These two wait for the gateway to act; the timeout only stops a gateway that never does from hanging the run.
test('a slow request body times out with 408', { timeout: 15_000 }, async () => {
  const s = await rawSocket();
  const done = closed(s);
  s.write(
    `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${h.keys['ml']}\r\n` +
      'content-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":',
  );
  const answer = await done;
  assert.match(answer, /^HTTP\/1\.1 408/);
});

test('connections per client are capped', { timeout: 15_000 }, async () => {
  // Each of 45 connections asks for /healthz at once: at most 40 are answered, the ones past the cap are
  // closed by the gateway without an answer (whichever connections the server accepted last).
  const sockets = await Promise.all(Array.from({ length: 45 }, () => rawSocket()));
  const outcomes = await Promise.all(
    sockets.map(
      (s) =>
        new Promise<'answered' | 'closed'>((ok) => {
          s.on('error', () => undefined);
          s.once('data', () => ok('answered'));
          s.once('close', () => ok('closed'));
          s.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
        }),
    ),
  );
  for (const s of sockets) s.destroy();
  // Keep-alive connections left by the tests above count against the same cap, so "at most 40" is exact.
  const answered = outcomes.filter((o) => o === 'answered').length;
  assert.ok(answered <= 40 && answered >= 30, `answered ${answered}`);
  assert.equal(outcomes.filter((o) => o === 'closed').length, 45 - answered);
});
