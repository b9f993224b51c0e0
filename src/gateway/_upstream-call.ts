/**
 * One upstream HTTP call on undici's dispatcher, with a plain handler instead of `pool.request()`: no Readable
 * body stream, no async resource, headers parsed once into a plain object. This is the gateway's hot path (the
 * stream machinery cost more per request than all of metering), and the answer is consumed in one of three
 * ways: read whole (JSON), iterated chunk by chunk with backpressure (SSE), or discarded (spillover).
 */
import type { Dispatcher } from 'undici';

/** An upstream answer whose headers have arrived; read, iterate or discard the body exactly once. */
export interface UpstreamResponse {
  readonly statusCode: number;
  /** Response headers, names lower-cased (repeated headers joined with ", "). */
  readonly headers: Readonly<Record<string, string>>;
  /** The whole body. */
  read(): Promise<Buffer>;
  /** The body chunk by chunk; the upstream is paused while the consumer is behind. */
  chunks(): AsyncIterableIterator<Buffer>;
  /** Reads and drops the body (keeps the connection reusable). */
  discard(): Promise<void>;
  /** Aborts the call (closes the upstream connection). */
  destroy(reason?: Error): void;
}

// Pause the upstream once this much is buffered and nobody is reading.
const HIGH_WATER = 256 * 1024;

class Call implements Dispatcher.DispatchHandler, UpstreamResponse {
  statusCode = 0;
  headers: Record<string, string> = {};
  private abortFn: ((err?: Error) => void) | null = null;
  private resumeFn: (() => void) | null = null;
  private queue: Buffer[] = [];
  private queued = 0;
  private paused = false;
  private ended = false;
  private failure: Error | null = null;
  private dropping = false;
  /** Wakes a consumer waiting for data, the end or an error. */
  private wake: (() => void) | null = null;

  constructor(
    private readonly started: (r: UpstreamResponse) => void,
    private readonly failed: (err: Error) => void,
  ) {}

  // ---- undici handler ----

  onConnect(abort: (err?: Error) => void): void {
    this.abortFn = abort;
  }

  onHeaders(statusCode: number, raw: Buffer[], resume: () => void): boolean {
    // 1xx informational answers are not the response.
    if (statusCode < 200) return true;
    this.statusCode = statusCode;
    this.resumeFn = resume;
    const h: Record<string, string> = {};
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toString('latin1').toLowerCase();
      const value = raw[i + 1]!.toString('latin1');
      h[name] = h[name] === undefined ? value : `${h[name]}, ${value}`;
    }
    this.headers = h;
    this.started(this);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.dropping) return true;
    this.queue.push(chunk);
    this.queued += chunk.length;
    this.notify();
    if (this.queued >= HIGH_WATER) this.paused = true;
    return !this.paused;
  }

  onComplete(): void {
    this.ended = true;
    this.notify();
  }

  onError(err: Error): void {
    if (this.statusCode === 0) {
      this.failed(err);
      return;
    }
    this.failure = err;
    this.notify();
  }

  // ---- consumer ----

  private notify(): void {
    const w = this.wake;
    if (w) {
      this.wake = null;
      w();
    }
  }

  private waitForMore(): Promise<void> {
    return new Promise<void>((ok) => (this.wake = ok));
  }

  private take(): Buffer[] {
    const q = this.queue;
    this.queue = [];
    this.queued = 0;
    if (this.paused) {
      this.paused = false;
      this.resumeFn?.();
    }
    return q;
  }

  async read(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      for (const c of this.take()) parts.push(c);
      if (this.failure) throw this.failure;
      if (this.ended) return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      await this.waitForMore();
    }
  }

  async *chunks(): AsyncIterableIterator<Buffer> {
    for (;;) {
      const got = this.take();
      for (const c of got) yield c;
      if (this.failure) throw this.failure;
      if (this.ended && this.queue.length === 0) return;
      if (this.queue.length === 0) await this.waitForMore();
    }
  }

  async discard(): Promise<void> {
    this.dropping = true;
    this.take();
    while (!this.ended && !this.failure) await this.waitForMore();
  }

  destroy(reason?: Error): void {
    if (this.ended) return;
    this.abortFn?.(reason ?? new Error('aborted by the gateway'));
  }
}

/** Sends one request; resolves when the response headers arrive, rejects on a connection or header error. */
export function callUpstream(
  dispatcher: Dispatcher,
  opts: Dispatcher.DispatchOptions,
): Promise<UpstreamResponse> {
  return new Promise((ok, fail) => {
    dispatcher.dispatch(opts, new Call(ok, fail));
  });
}
