import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityProof, reachOwner, writeServerState } from './index.js';

/** An identity endpoint that stalls its first `stall` requests and proves itself (or not) afterwards. */
async function owner(
  secret: string,
  storePath: string,
  opts: { stall?: number; lie?: boolean } = {},
): Promise<{ server: Server; url: string; asked: () => number }> {
  let asked = 0;
  const server = createServer((req, res) => {
    asked += 1;
    if (asked <= (opts.stall ?? 0)) return; // never answers: the client's attempt times out
    const nonce = new URL(req.url ?? '/', 'http://x').searchParams.get('nonce') ?? '';
    const proof = identityProof(opts.lie ? 'another-secret' : secret, nonce, storePath);
    res.setHeader('content-type', 'application/json').end(JSON.stringify({ proof }));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return { server, url: `http://127.0.0.1:${port}`, asked: () => asked };
}

function store(): { db: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tally-owner-'));
  return { db: join(dir, 't.duckdb'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a live owner that is too slow to answer once is asked again instead of being given up on', async () => {
  const s = store();
  const o = await owner('s3cret', s.db, { stall: 1 });
  try {
    writeServerState(s.db, o.url, 's3cret');
    const got = await reachOwner(s.db, { attemptMs: 200, totalMs: 5000 });
    assert.equal(got?.url, o.url);
    assert.equal(o.asked(), 2);
  } finally {
    o.server.closeAllConnections();
    o.server.close();
    s.done();
  }
});

test('an owner that is not listening yet is reached once it starts', async () => {
  const s = store();
  const probe = await owner('s3cret', s.db);
  const url = probe.url;
  probe.server.close();
  writeServerState(s.db, url, 's3cret');
  const reached = reachOwner(s.db, { attemptMs: 200, totalMs: 5000 });
  await new Promise((r) => setTimeout(r, 300));
  const port = Number(new URL(url).port);
  const late = createServer((req, res) => {
    const nonce = new URL(req.url ?? '/', 'http://x').searchParams.get('nonce') ?? '';
    res.end(JSON.stringify({ proof: identityProof('s3cret', nonce, s.db) }));
  });
  try {
    await new Promise<void>((ok) => late.listen(port, '127.0.0.1', ok));
    assert.equal((await reached)?.url, url);
  } finally {
    late.close();
    s.done();
  }
});

test('a process that cannot prove it owns the store is refused at once, without a retry', async () => {
  const s = store();
  const o = await owner('s3cret', s.db, { lie: true });
  try {
    writeServerState(s.db, o.url, 's3cret');
    assert.equal(await reachOwner(s.db, { attemptMs: 200, totalMs: 5000 }), null);
    assert.equal(o.asked(), 1);
  } finally {
    o.server.close();
    s.done();
  }
});

test('an owner that never answers is given up on when the time allowed is over', async () => {
  const s = store();
  const o = await owner('s3cret', s.db, { stall: 1000 });
  try {
    writeServerState(s.db, o.url, 's3cret');
    const t0 = Date.now();
    assert.equal(await reachOwner(s.db, { attemptMs: 100, totalMs: 600 }), null);
    assert.ok(o.asked() >= 2, `asked ${o.asked()} times`);
    assert.ok(Date.now() - t0 < 3000);
  } finally {
    o.server.closeAllConnections();
    o.server.close();
    s.done();
  }
});
