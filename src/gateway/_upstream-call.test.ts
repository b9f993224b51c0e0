import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { callUpstream } from './_upstream-call.js';

/** A server that streams `total` pseudo-random bytes in 16 KiB chunks, honouring backpressure. */
async function streamingServer(total: number): Promise<{ url: string; server: Server; digest: string }> {
  const body = Buffer.alloc(total);
  for (let i = 0; i < total; i++) body[i] = (i * 2654435761) >>> 24;
  const server = createServer((req, res) => {
    if (req.url === '/json') {
      res.writeHead(201, { 'content-type': 'application/json', 'x-ratelimit-remaining-tokens': '42' });
      res.end('{"ok":true}');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let off = 0;
    const pump = (): void => {
      while (off < total) {
        const more = res.write(body.subarray(off, off + 16_384));
        off += 16_384;
        if (!more) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, digest: createHash('sha256').update(body).digest('hex') };
}

test('a large streamed answer arrives whole and in order to a slow reader, with the upstream paused meanwhile', async () => {
  const s = await streamingServer(4 * 1024 * 1024);
  const pool = new Pool(s.url);
  try {
    const r = await callUpstream(pool, { method: 'GET', path: '/stream' });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['content-type'], 'text/event-stream');
    const h = createHash('sha256');
    let n = 0;
    for await (const c of r.chunks()) {
      h.update(c);
      n += c.length;
      // A slow client: every 64th chunk waits, so the buffered answer passes the high-water mark.
      if (n % (64 * 16_384) < c.length) await new Promise((ok) => setTimeout(ok, 20));
    }
    assert.equal(n, 4 * 1024 * 1024);
    assert.equal(h.digest('hex'), s.digest);
  } finally {
    await pool.close();
    s.server.close();
  }
});

test('a JSON answer is read whole with its status and lower-cased headers, and a discarded one frees the connection', async () => {
  const s = await streamingServer(1024 * 1024);
  const pool = new Pool(s.url, { connections: 1 });
  try {
    const big = await callUpstream(pool, { method: 'GET', path: '/stream' });
    await big.discard();
    // The single connection is reusable after the discard.
    const r = await callUpstream(pool, { method: 'GET', path: '/json' });
    assert.equal(r.statusCode, 201);
    assert.equal(r.headers['x-ratelimit-remaining-tokens'], '42');
    assert.deepEqual(JSON.parse((await r.read()).toString()), { ok: true });
  } finally {
    await pool.close();
    s.server.close();
  }
});

test('a connection refused rejects the call, and an upstream cut mid-body fails the reader', async () => {
  const pool = new Pool('http://127.0.0.1:9', { connectTimeout: 2000 });
  await assert.rejects(callUpstream(pool, { method: 'GET', path: '/' }));
  await pool.close();
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('{"partial":');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const p2 = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    const r = await callUpstream(p2, { method: 'GET', path: '/' });
    await assert.rejects(r.read());
  } finally {
    await p2.close();
    server.close();
  }
});
