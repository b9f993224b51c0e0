/** The API's limits: body and upload sizes (before and after authentication), upload names, failed sign-ins. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { AUTH_FAILURES_PER_WINDOW } from './_auth-throttle.js';
import { createUser } from './_users.js';
import { setup } from './_test-app.js';

test('an oversized body is refused with a 413 problem before it is read, with or without a Content-Length', async () => {
  const { app, admin, ran } = await setup();
  const big = JSON.stringify({ amount: '1', note: 'x'.repeat(2 * 1024 * 1024) });
  const json = await app.request('/api/v1/budgets', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
    body: big,
  });
  assert.equal(json.status, 413);
  assert.equal(((await json.json()) as { code: string }).code, 'payload_too_large');
  const login = await app.request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${'a'.repeat(2 * 1024 * 1024)}`,
  });
  assert.equal(login.status, 413, 'the login form too (before the CSRF check parses it)');
  // A chunked body (no Content-Length) is counted as it arrives.
  const chunks = new ReadableStream<Uint8Array>({
    start(ctl) {
      for (let i = 0; i < 3; i++) ctl.enqueue(new Uint8Array(512 * 1024).fill(97));
      ctl.close();
    },
  });
  const chunked = await app.request('/api/v1/sql', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
    body: chunks,
    duplex: 'half',
  } as RequestInit);
  assert.equal(chunked.status, 413);
  assert.equal(ran.length, 0, 'no command ran');
});

test('an upload past the upload limit is refused with a 413 even when it is sent chunked', async () => {
  const { app, admin, ran } = await setup(undefined, { maxUploadBytes: 3000 });
  const chunks = new ReadableStream<Uint8Array>({
    start(ctl) {
      for (let i = 0; i < 4; i++) ctl.enqueue(new Uint8Array(1024).fill(97));
      ctl.close();
    },
  });
  const res = await app.request('/api/v1/ingest', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' },
    body: chunks,
    duplex: 'half',
  } as RequestInit);
  assert.equal(res.status, 413);
  assert.equal(ran.length, 0);
});

/** A chunked body of `total` bytes, handed out 64 KiB a read; `pulled()` is how many the server has taken. */
function countedBody(total: number) {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(ctl) {
        if (pulled >= total) return ctl.close();
        const n = Math.min(64 * 1024, total - pulled);
        pulled += n;
        ctl.enqueue(new Uint8Array(n).fill(97));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => pulled };
}

test('an upload from a caller without a token or without the ingest permission is refused having read at most 1 MiB', async () => {
  const { app, viewer, ran } = await setup();
  for (const authorization of [undefined, 'Bearer tally-ut-unknown', `Bearer ${viewer.token}`]) {
    const body = countedBody(8 * 1024 * 1024);
    const res = await app.request('/api/v1/ingest?name=big.csv', {
      method: 'POST',
      headers: { 'content-type': 'text/csv', ...(authorization ? { authorization } : {}) },
      body: body.stream,
      duplex: 'half',
    } as RequestInit);
    assert.ok([401, 403, 413].includes(res.status), `${authorization}: ${res.status}`);
    assert.ok(body.pulled() <= 1024 * 1024 + 64 * 1024, `${authorization}: read ${body.pulled()} bytes`);
  }
  assert.equal(ran.length, 0);
});

test('an authenticated finance or admin upload of a few MiB, sent chunked, is loaded whole', async () => {
  const sizes: number[] = [];
  const { app, admin, store } = await setup((argv) => {
    sizes.push(statSync(argv.find((a) => a.endsWith('.csv') && !a.startsWith('--'))!).size);
    return '{"files":[]}\n';
  });
  const finance = await createUser(store, { name: 'fin', role: 'finance', teams: [] });
  for (const token of [finance.token, admin.token]) {
    const body = countedBody(3 * 1024 * 1024 + 5);
    const res = await app.request('/api/v1/ingest?name=costs.csv', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: body.stream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 200, await res.text());
  }
  assert.deepEqual(sizes, [3 * 1024 * 1024 + 5, 3 * 1024 * 1024 + 5]);
});

test("an upload's error names the uploaded file, never the server's temporary path", async () => {
  // The command names the file it was given, as `tally ingest` does for a file without a header row.
  const { app, admin } = await setup((argv) => {
    const file = argv.at(-2)!;
    return `${JSON.stringify({ error: { code: 'invalid_input', message: `${file}: no header row found`, details: { file } } })}\n`;
  });
  const res = await app.request('/api/v1/ingest?name=costs.csv', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' },
    body: 'junk',
  });
  assert.equal(res.status, 400);
  const text = await res.text();
  assert.doesNotMatch(text, /tally-upload-|\/tmp\//, text);
  assert.match(text, /costs\.csv: no header row found/);
});

test("an ingest upload is recorded under the uploaded name, and its answer names the quarantine file without the server's folder", async () => {
  const { app, admin, ran } = await setup((argv) => {
    const file = argv.at(-2)!;
    return `${JSON.stringify({ files: [{ file, status: 'loaded' }], rowsRejected: 1, quarantine: '/srv/tally/quarantine/quarantine-r1.csv' })}\n`;
  });
  const res = await app.request('/api/v1/ingest?name=costs.csv', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' },
    body: 'a,b\n1,2\n',
  });
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.doesNotMatch(text, /tally-upload-|\/tmp\/|\/srv\//, text);
  assert.deepEqual(JSON.parse(text), {
    files: [{ file: 'costs.csv', status: 'loaded' }],
    rowsRejected: 1,
    quarantine: 'quarantine-r1.csv',
  });
  assert.ok(ran[0]!.argv.includes('--name=costs.csv'), 'the command records the uploaded name');
  const sheet = await app.request('/api/v1/prices/import?name=ea-sheet.csv', {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'text/csv' },
    body: 'a,b\n1,2\n',
  });
  assert.equal(sheet.status, 200);
  assert.ok(ran[1]!.argv.includes('--name=ea-sheet.csv'), 'a price sheet too (a re-upload replaces it)');
});

test('past 100 failed sign-ins or bearer tokens a minute an address gets 429s for wrong tokens, while a right token still passes', async () => {
  let now = Date.parse('2026-12-03T10:00:00Z');
  const { app, admin } = await setup(undefined, { now: () => new Date(now) });
  assert.equal(AUTH_FAILURES_PER_WINDOW, 100);
  for (let i = 0; i < AUTH_FAILURES_PER_WINDOW; i++)
    assert.equal(
      (await app.request('/api/v1/me', { headers: { authorization: `Bearer tally-ut-guess${i}` } })).status,
      401,
    );
  const blocked = await app.request('/api/v1/me', {
    headers: { authorization: 'Bearer tally-ut-guess-more' },
  });
  assert.equal(blocked.status, 429);
  assert.ok(Number(blocked.headers.get('retry-after')) > 0);
  // A right token is checked first and always passes: wrong tokens from an address (everyone behind a proxy, a
  // local process) never lock out its users or the owner's CLI.
  assert.equal(
    (await app.request('/api/v1/me', { headers: { authorization: `Bearer ${admin.token}` } })).status,
    200,
  );
  now += 61_000;
  assert.equal(
    (await app.request('/api/v1/me', { headers: { authorization: 'Bearer tally-ut-guess-after' } })).status,
    401,
  );
});

test('failed sign-ins through the login form count toward the same limit', async () => {
  const { app } = await setup();
  const anon = await app.request('/api/v1/me');
  const csrf = /tally_csrf=([^;]+)/.exec(anon.headers.get('set-cookie') ?? '')![1]!;
  const login = () =>
    app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `tally_csrf=${csrf}` },
      body: new URLSearchParams({ token: 'tally-ut-guess', _csrf: csrf }).toString(),
    });
  for (let i = 0; i < AUTH_FAILURES_PER_WINDOW; i++) assert.equal((await login()).status, 303);
  assert.equal((await login()).status, 429);
});
