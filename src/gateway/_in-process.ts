/**
 * `handle(request)`: a fetch-style door into a gateway's HTTP server without a network socket. Each connection
 * is a pair of in-memory streams: one end is handed to the server as if it had been accepted, the other to
 * Node's own HTTP client (`createConnection`), so requests are parsed, routed, metered and answered by exactly the code a TCP client meets
 * (keep-alive, streaming, timeouts), just without the kernel. For tests and embedding, like Hono's
 * `app.request`.
 */
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { Duplex, Readable } from 'node:stream';

/** One end of an in-memory connection: what it writes, the other end reads. */
class MemorySocket extends Duplex {
  peer: MemorySocket | null = null;
  readonly remoteAddress = 'in-process';
  readonly remotePort = 0;
  readonly localAddress = 'in-process';
  readonly localPort = 0;
  readonly remoteFamily = 'memory';
  readonly encrypted = false;

  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.peer?.push(chunk);
    done();
  }
  override _final(done: (err?: Error | null) => void): void {
    this.peer?.push(null);
    done();
  }
  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    const peer = this.peer;
    this.peer = null;
    if (peer && !peer.destroyed) {
      peer.push(null);
      peer.destroy();
    }
    done(err);
  }
  // What net.Socket offers and HTTP code calls; an in-memory stream has nothing to tune.
  setTimeout(_ms: number, cb?: () => void): this {
    if (cb) this.once('timeout', cb);
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  address(): { address: string; family: string; port: number } {
    return { address: 'in-process', family: 'memory', port: 0 };
  }
}

function memoryPair(): [MemorySocket, MemorySocket] {
  const a = new MemorySocket();
  const b = new MemorySocket();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

function webHeaders(h: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(h)) {
    if (Array.isArray(v)) for (const x of v) out.append(k, x);
    else if (v !== undefined) out.set(k, v);
  }
  return out;
}

/** A fetch that delivers every request to `server` over a new in-memory connection. */
export function inProcessFetch(server: Server): (request: Request) => Promise<Response> {
  return async (request) => {
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : null;
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((v, k) => (headers[k] = v));
    if (body) headers['content-length'] = String(body.length);
    return new Promise<Response>((resolve, reject) => {
      const req = httpRequest(
        {
          method: request.method,
          path: `${url.pathname}${url.search}`,
          headers: { host: url.host, ...headers },
          createConnection: () => {
            const [client, accepted] = memoryPair();
            server.emit('connection', accepted);
            return client as never;
          },
        },
        (res) => {
          const status = res.statusCode ?? 500;
          const empty = status === 204 || status === 304 || request.method === 'HEAD';
          if (empty) res.resume();
          resolve(
            new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
              status,
              statusText: res.statusMessage ?? '',
              headers: webHeaders(res.headers),
            }),
          );
        },
      );
      req.on('error', reject);
      request.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')), { once: true });
      req.end(body ?? undefined);
    });
  };
}
