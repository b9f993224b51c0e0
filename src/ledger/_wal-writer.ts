/**
 * The WAL's writer: group commit (each durable write covers every event appended while the one in flight ran,
 * or, with `writes: 'loop'`, every event appended during one turn of the event loop) and segments opened ahead
 * of need, so an acknowledged event survives kill -9 and no answer waits for a rotation's file creation or
 * directory sync (ADR 0037, ADR 0042's session-9 addendum).
 */
import { constants, fdatasyncSync, mkdirSync, writeSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { listSegments, segmentName } from './_wal.js';

// Segments are opened with O_DSYNC where the platform has it: each write then returns only once its data (and
// the file size that reaches it) is on disk, the same guarantee as write + fdatasync, in one system call and one
// trip through libuv's thread pool instead of two. Measured on this machine's ext4 (ADR 0032): ~300 against
// ~500 µs of CPU per group commit, most of it the kernel's. Elsewhere (Windows) every write is followed by
// fdatasync as before.
const DSYNC: number | undefined = constants.O_DSYNC;
const SEGMENT_FLAGS =
  DSYNC === undefined ? 'a' : constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | DSYNC;

// Durable writes allowed in flight at once. With two, an append that arrives while a write runs starts its own at
// once instead of waiting for that one and then its own (replay tolerates the zero gap a crash can then leave,
// repairSegment). Measured on this session's saturated 2-core machine (ADR 0037) two did worse at a smooth
// 1,000 req/s (p99 389-441 against 114-339 ms in three interleaved harness rounds; 15-30% more WAL CPU per
// event: more, smaller writes, more thread wake-ups), so one it is until a quiet machine says otherwise.
const MAX_IN_FLIGHT = 1;

/**
 * Where a durable write runs. 'loop': one synchronous O_DSYNC write with the system call on the event loop, at
 * the end of the callback that appended (a microtask the first append schedules: every append of one
 * synchronous run shares the write); the gateway's meter already gathers a whole turn's events (setImmediate)
 * into one append, so each turn of the loop costs one write. No libuv pool job, no thread wake-up, and the loop
 * is blocked for the write (~0.25 ms on a quiet local disk). 'pool' (the default): an asynchronous write on
 * libuv's thread pool, so the loop goes on meanwhile and a slow disk (a network volume, a saturated device:
 * 10-20 ms per write measured on a busy moment) never blocks it, at the cost of the hand-off. Measured (ADR
 * 0042, session-9 addendum): 'loop' saves ~60 µs of CPU per request at a smooth 1,000 req/s, but closed-loop
 * throughput fell and the p99 was no better, so 'pool' stays the default.
 */
export type WalWrites = 'loop' | 'pool';

interface Pending<T> {
  readonly line: string;
  readonly items: readonly T[];
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/** What a rotation hands back: the closed segment files and the durable items written to them. */
export interface Rotation<T> {
  readonly paths: string[];
  /** The items themselves, only when the writer keeps them (`keepItems`); otherwise empty. */
  readonly items: T[];
  /** How many durable items the closed segments hold. */
  readonly count: number;
}

/** Opens (creating it) a segment file and syncs its directory so the entry survives a crash too. */
/** A batch's lines as the bytes of one write, a newline after each. */
function batchBytes(batch: readonly { readonly line: string }[]): Buffer {
  return Buffer.from(batch.length === 1 ? batch[0]!.line + '\n' : batch.map((p) => p.line).join('\n') + '\n');
}

/** A write that took no bytes would be retried for ever: it fails its batch instead. */
function tookNothing(written: number, total: number): Error {
  return new Error(`the WAL segment took no bytes (${written} of ${total} written)`);
}

async function openSegmentFile(dir: string, seq: number): Promise<FileHandle> {
  const fh = await open(join(dir, segmentName(seq)), SEGMENT_FLAGS);
  let d: FileHandle | null = null;
  try {
    d = await open(dir, 'r');
    await d.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the file's own sync still holds its data.
  } finally {
    await d?.close();
  }
  return fh;
}

/** One segment file and what was written to it. */
interface Segment<T> {
  readonly seq: number;
  readonly fh: FileHandle;
  /** Durable items not yet handed out by a rotation (only with `keepItems`). */
  durable: T[];
  durableN: number;
  inFlight: number;
  /** Waiting for the segment's last write in flight to return. */
  idle: (() => void)[];
}

const whenIdle = <T>(seg: Segment<T>): Promise<void> =>
  seg.inFlight === 0 ? Promise.resolve() : new Promise<void>((ok) => seg.idle.push(ok));

/**
 * An appendable, group-committed segment writer. An append starts a durable write at once unless
 * MAX_IN_FLIGHT are in flight. A rotation hands the items appended before it to the segment it closes and switches to the next
 * segment at once (it was opened ahead), then waits only for the closed segment's writes; sync and close wait
 * for every write, holding later appends back meanwhile.
 */
export class WalWriter<T> {
  private seg: Segment<T> | null = null;
  /** The next segment, created and its directory synced ahead of the rotation that needs it. */
  private next: Promise<FileHandle> | null = null;
  private pending: Pending<T>[] = [];
  private inFlight = 0;
  /** A sync, close or rotation without a ready next segment in progress: no write starts until it ends. */
  private cutting: Promise<unknown> | null = null;
  /** ('loop') A write is scheduled for the end of the current callback. */
  private scheduled = false;
  private readonly endOfCallback = (): void => {
    this.scheduled = false;
    this.pump();
  };

  private constructor(
    private readonly dir: string,
    private readonly keepItems: boolean,
    private readonly writes: WalWrites,
  ) {}

  /**
   * Opens a writer that starts a new segment after any existing ones. `keepItems` holds every durable item in
   * memory until the next rotation, for readers that cannot load the segment files themselves; without it the
   * items are dropped once written (a serving process then keeps no second copy of its recent traffic alive).
   * `writes` chooses where durable writes run (WalWrites; default 'pool').
   */
  static async open<T>(
    dir: string,
    opts: { keepItems?: boolean; writes?: WalWrites } = {},
  ): Promise<WalWriter<T>> {
    mkdirSync(dir, { recursive: true });
    const seq = (listSegments(dir).at(-1)?.seq ?? 0) + 1;
    const w = new WalWriter<T>(dir, opts.keepItems ?? true, opts.writes ?? 'pool');
    w.seg = w.segment(seq, await openSegmentFile(dir, seq));
    w.prepareNext(seq + 1);
    return w;
  }

  private segment(seq: number, fh: FileHandle): Segment<T> {
    return { seq, fh, durable: [], durableN: 0, inFlight: 0, idle: [] };
  }

  /** Durable items waiting for the next rotation. */
  get durableCount(): number {
    return this.seg?.durableN ?? 0;
  }

  private prepareNext(seq: number): void {
    const next = openSegmentFile(this.dir, seq);
    next.catch(() => undefined); // seen (and thrown) by the rotation that awaits it
    this.next = next;
  }

  /** Appends one encoded line carrying `item`; resolves once it is on disk. */
  append(line: string, item: T): Promise<void> {
    return this.appendBatch(line, [item]);
  }

  /** Appends several lines (joined by newlines) carrying `items`; resolves once all are on disk. */
  appendBatch(lines: string, items: readonly T[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line: lines, items, resolve, reject });
      if (this.writes === 'pool') this.pump();
      else if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(this.endOfCallback);
      }
    });
  }

  private pump(): void {
    if (this.cutting || this.inFlight >= MAX_IN_FLIGHT || this.pending.length === 0) return;
    this.startWrite();
  }

  /** Writes everything pending as one durable write into the current segment. */
  private startWrite(): void {
    const batch = this.pending;
    this.pending = [];
    const seg = this.seg;
    if (!seg) {
      const err = new Error('ledger log is closed');
      for (const p of batch) p.reject(err);
      return;
    }
    if (this.writes === 'loop') {
      this.writeNow(seg, batch);
      return;
    }
    this.inFlight++;
    seg.inFlight++;
    void this.write(seg, batch).finally(() => {
      this.inFlight--;
      if (--seg.inFlight === 0 && seg.idle.length > 0) {
        const idle = seg.idle;
        seg.idle = [];
        for (const fn of idle) fn();
      }
      this.pump();
    });
  }

  private async write(seg: Segment<T>, batch: Pending<T>[]): Promise<void> {
    try {
      // Durable when the write returns (O_DSYNC), or once fdatasync does. A write may take fewer bytes than it
      // was given (a disk nearly full): the rest is written before anyone is told the batch is durable.
      const buf = batchBytes(batch);
      for (let off = 0; off < buf.length;) {
        const { bytesWritten } = await seg.fh.write(buf, off, buf.length - off);
        if (bytesWritten <= 0) throw tookNothing(off, buf.length);
        off += bytesWritten;
      }
      if (DSYNC === undefined) await seg.fh.datasync();
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
      return;
    }
    this.durable(seg, batch);
  }

  /**
   * ('loop') Writes the batch with synchronous system calls on the event loop; durable when they return. Each
   * waiting append is settled only after that, so no acknowledgement can precede its line's durability.
   */
  private writeNow(seg: Segment<T>, batch: Pending<T>[]): void {
    try {
      const buf = batchBytes(batch);
      for (let off = 0; off < buf.length;) {
        const n = writeSync(seg.fh.fd, buf, off);
        if (n <= 0) throw tookNothing(off, buf.length);
        off += n;
      }
      if (DSYNC === undefined) fdatasyncSync(seg.fh.fd);
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
      return;
    }
    this.durable(seg, batch);
  }

  /** Counts (and, when kept, holds) a written batch's items as durable, then acknowledges its appends. */
  private durable(seg: Segment<T>, batch: readonly Pending<T>[]): void {
    for (const p of batch) {
      seg.durableN += p.items.length;
      if (this.keepItems) for (const it of p.items) seg.durable.push(it);
    }
    for (const p of batch) p.resolve();
  }

  /** Runs `then` with no write starting meanwhile, after any other cut. */
  private async cut<R>(then: () => Promise<R>): Promise<R> {
    while (this.cutting) await this.cutting.catch(() => undefined);
    const run = then();
    this.cutting = run;
    try {
      return await run;
    } finally {
      this.cutting = null;
      this.pump();
    }
  }

  /** Waits until every line appended so far is durable. */
  sync(): Promise<void> {
    return this.cut(async () => {
      if (this.pending.length > 0) this.startWrite();
      if (this.seg) await whenIdle(this.seg);
    });
  }

  /** Closes the current segment and starts the next one; returns the closed segment and its durable items. */
  async rotate(): Promise<Rotation<T>> {
    while (this.cutting) await this.cutting.catch(() => undefined);
    const old = this.seg;
    if (!old) throw new Error('ledger log is closed');
    // What was appended before the rotation belongs to the segment it closes.
    if (this.pending.length > 0) this.startWrite();
    const next = this.next ?? openSegmentFile(this.dir, old.seq + 1);
    this.next = null;
    // Normally opened long ago; if not, later appends wait for it rather than go to the closed segment. If it
    // cannot be opened, writing goes on into the old segment and the next rotation tries again.
    await this.cut(async () => {
      this.seg = this.segment(old.seq + 1, await next);
      this.prepareNext(old.seq + 2);
    });
    await whenIdle(old);
    // Every write to the old segment has returned (durable); closing it need not hold anything back.
    void old.fh.close().catch(() => undefined);
    const items = old.durable;
    old.durable = [];
    return { paths: [join(this.dir, segmentName(old.seq))], items, count: old.durableN };
  }

  /** Deletes segments whose items are now in the store (asynchronously: this runs inside a serving process). */
  async release(paths: readonly string[]): Promise<void> {
    await Promise.all(paths.map((p) => unlink(p).catch(() => undefined)));
  }

  /** Closes the writer after every pending line is durable, and removes the unused next segment. */
  async close(): Promise<void> {
    await this.sync();
    await this.cut(async () => {
      const seg = this.seg;
      this.seg = null;
      await seg?.fh.close();
      const next = this.next;
      this.next = null;
      if (seg && next) {
        const fh = await next.catch(() => null);
        await fh?.close();
        await unlink(join(this.dir, segmentName(seg.seq + 1))).catch(() => undefined);
      }
    });
  }
}
