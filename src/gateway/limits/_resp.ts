/**
 * A minimal Redis client (RESP2 over TCP or a unix socket) for the Redis LimitStore: pipelined commands,
 * replies matched in order. Enough for EVALSHA/EVAL/SCRIPT and plain commands; no pub/sub, no cluster.
 */
import { createConnection, type Socket } from 'node:net';
import { TallyError } from '../../core/index.js';

/** A RESP reply: string, integer, null, error, or array of replies. */
export type RespValue = string | number | null | RespError | RespValue[];

/** An error reply from Redis. */
export class RespError extends Error {
  override readonly name = 'RespError';
}

interface Pending {
  resolve(v: RespValue): void;
  reject(e: Error): void;
}

/** One connection to Redis. */
export class RespClient {
  private buf: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private closed = false;

  /** False once the connection failed or was closed (a new one must be made). */
  get open(): boolean {
    return !this.closed;
  }

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.failAll(e));
    socket.on('close', () => this.failAll(new Error('redis connection closed')));
  }

  /** Connects to `redis://host:port` or `unix:///path/to.sock`. */
  static connect(url: string): Promise<RespClient> {
    const u = new URL(url);
    const socket =
      u.protocol === 'unix:'
        ? createConnection({ path: u.pathname })
        : createConnection({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    socket.setNoDelay(true);
    return new Promise((ok, fail) => {
      socket.once('connect', () => ok(new RespClient(socket)));
      socket.once('error', (e) =>
        fail(
          new TallyError('unavailable', `cannot connect to redis at ${u.host || u.pathname}: ${e.message}`),
        ),
      );
    });
  }

  /** Sends one command; resolves with its reply (rejects with RespError on an error reply). */
  command(args: readonly (string | number | bigint)[]): Promise<RespValue> {
    if (this.closed) return Promise.reject(new TallyError('unavailable', 'redis connection closed'));
    let out = `*${args.length}\r\n`;
    for (const a of args) {
      const s = String(a);
      out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(out);
    });
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((ok) => this.socket.end(() => ok()));
  }

  private failAll(e: Error): void {
    this.closed = true;
    for (const p of this.pending.splice(0)) p.reject(new TallyError('unavailable', `redis: ${e.message}`));
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    for (;;) {
      let r: ReturnType<typeof parse>;
      try {
        r = parse(this.buf, 0);
      } catch (e) {
        this.failAll(e as Error);
        this.socket.destroy();
        return;
      }
      if (!r) return;
      this.buf = this.buf.subarray(r.next);
      const p = this.pending.shift();
      if (!p) continue;
      if (r.value instanceof RespError) p.reject(r.value);
      else p.resolve(r.value);
    }
  }
}

/** Parses one reply at `at`; null when the buffer does not hold a whole reply yet. */
function parse(buf: Buffer, at: number): { value: RespValue; next: number } | null {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[at]!);
  const line = buf.toString('utf8', at + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+':
      return { value: line, next };
    case '-':
      return { value: new RespError(line), next };
    case ':':
      return { value: Number(line), next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next };
      if (buf.length < next + len + 2) return null;
      return { value: buf.toString('utf8', next, next + len), next: next + len + 2 };
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return { value: null, next };
      const items: RespValue[] = [];
      let pos = next;
      for (let i = 0; i < n; i++) {
        const r = parse(buf, pos);
        if (!r) return null;
        items.push(r.value);
        pos = r.next;
      }
      return { value: items, next: pos };
    }
    default:
      throw new TallyError('unavailable', `redis: unexpected reply type ${JSON.stringify(type)}`);
  }
}
