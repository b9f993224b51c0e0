/**
 * The usage ledger: durable append (WAL with group commit), batched flush into the store, replay on start.
 * An event is acknowledged once its WAL line is fsynced; flushing to the store deduplicates on event id,
 * so a crash between a flush and the WAL release only replays events the store then ignores.
 */
import { channel } from 'node:diagnostics_channel';
import { mkdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { TallyError } from '../core/index.js';
import { localBaseFor, type CostStore } from '../store/index.js';
import type { UsageEvent } from '../store/index.js';
import { encodeEvent, listSegments, readSegments, repairSegment } from './_wal.js';
import { WalWriter, type WalWrites } from './_wal-writer.js';

// Longest wait between two flush attempts while the store is unreachable, ms.
const MAX_BACKOFF_MS = 30_000;

/**
 * Each flush publishes `{ phase: 'start' }` then `{ phase: 'end', events }` here (only when someone listens), so
 * a probe can tell whether an event-loop stall fell inside a flush (bench/_loop-probe.mjs, ADR 0042).
 */
export const FLUSH_CHANNEL = 'tally:ledger:flush';
const flushChannel = channel(FLUSH_CHANNEL);

/** Ledger tuning. */
export interface LedgerOptions {
  readonly store: CostStore;
  /** WAL directory; see ledgerDirFor. */
  readonly dir: string;
  /** Flush to the store at least this often (ms). */
  readonly flushIntervalMs?: number;
  /** Flush as soon as this many durable events wait. */
  readonly flushBatch?: number;
  /** Where the WAL's durable writes run: on libuv's pool (default) or on the event loop once per turn. */
  readonly walWrites?: WalWrites;
  /** Called when a background flush fails (the events stay in the WAL and are retried). */
  readonly onError?: (err: Error) => void;
}

/** The WAL directory for a store: `<db file>.ledger` beside a file; under .tally/ for a server (localBaseFor). */
export function ledgerDirFor(dbPath: string): string {
  if (dbPath === ':memory:')
    throw new TallyError('invalid_input', 'an in-memory store needs an explicit ledger dir');
  const base = localBaseFor(dbPath);
  return join(dirname(base), `${basename(base)}.ledger`);
}

/** A durable, batching usage ledger. */
export class Ledger {
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closed = false;
  /** Rotated segments whose store write failed; retried on the next flush. */
  private retry: { paths: string[]; items: UsageEvent[]; count: number } = { paths: [], items: [], count: 0 };
  private failures = 0;
  private retryAt = 0;
  /** Events acknowledged (durable) since open. */
  acknowledged = 0;
  /** New events written to the store since open (after dedup). */
  stored = 0;

  private constructor(
    private readonly opts: LedgerOptions & { flushIntervalMs: number; flushBatch: number },
    private readonly wal: WalWriter<UsageEvent>,
  ) {}

  /** Opens the ledger: replays any WAL a previous process left into the store, then starts a new segment. */
  static async open(opts: LedgerOptions): Promise<{ ledger: Ledger; replayed: number }> {
    const full = { flushIntervalMs: 1000, flushBatch: 50_000, ...opts };
    mkdirSync(opts.dir, { recursive: true });
    const leftovers = listSegments(opts.dir).map((s) => s.path);
    let replayed = 0;
    if (leftovers.length > 0) {
      // A write a crash interrupted can leave zeros before durable lines (repairSegment).
      for (const p of leftovers) repairSegment(p);
      if (opts.store.appendUsageFromWal) replayed = await opts.store.appendUsageFromWal(leftovers);
      else {
        const events = readSegments(leftovers);
        for (let i = 0; i < events.length; i += 100_000)
          replayed += await opts.store.appendUsage(events.slice(i, i + 100_000));
      }
    }
    // A store that loads WAL segment files itself needs no in-memory copy of the events.
    const wal = await WalWriter.open<UsageEvent>(opts.dir, {
      keepItems: !opts.store.appendUsageFromWal,
      writes: opts.walWrites ?? 'pool',
    });
    await wal.release(leftovers);
    const ledger = new Ledger(full, wal);
    ledger.timer = setInterval(() => ledger.kick(), full.flushIntervalMs);
    ledger.timer.unref();
    return { ledger, replayed };
  }

  /** Appends an event; resolves once it is durable (it then reaches the store even across a crash). */
  async append(e: UsageEvent): Promise<void> {
    if (this.closed) throw new TallyError('unavailable', 'the ledger is closed');
    await this.wal.append(encodeEvent(e), e);
    this.acknowledged += 1;
    if (this.wal.durableCount >= this.opts.flushBatch) this.kick();
  }

  /** Appends many events in one WAL write; resolves once all are durable. */
  async appendMany(events: readonly UsageEvent[]): Promise<void> {
    if (this.closed) throw new TallyError('unavailable', 'the ledger is closed');
    if (events.length === 0) return;
    await this.wal.appendBatch(events.map(encodeEvent).join('\n'), events);
    this.acknowledged += events.length;
    if (this.wal.durableCount >= this.opts.flushBatch) this.kick();
  }

  private kick(): void {
    if (this.flushing || (this.wal.durableCount === 0 && this.retry.count === 0)) return;
    if (Date.now() < this.retryAt) return;
    const traced = flushChannel.hasSubscribers;
    if (traced) flushChannel.publish({ phase: 'start' });
    const before = this.stored;
    this.flushing = this.flushOnce()
      .then(() => {
        this.failures = 0;
        this.retryAt = 0;
      })
      .catch((err: Error) => {
        // The store is unreachable (a PostgreSQL failover, a network cut): the events stay in the WAL and the
        // next attempt waits 1, 2, 4 … 30 s, so a down store is not hammered (nor the log filled) every second.
        this.failures += 1;
        this.retryAt = Date.now() + Math.min(1000 * 2 ** (this.failures - 1), MAX_BACKOFF_MS);
        this.opts.onError?.(err);
      })
      .finally(() => {
        this.flushing = null;
        if (traced) flushChannel.publish({ phase: 'end', events: this.stored - before });
      });
  }

  /** Consecutive failed flushes (0 once one succeeds). */
  get failedFlushes(): number {
    return this.failures;
  }

  private async flushOnce(): Promise<void> {
    const rot = await this.wal.rotate();
    const paths = [...this.retry.paths, ...rot.paths];
    const items = this.retry.items.length ? this.retry.items.concat(rot.items) : rot.items;
    const count = this.retry.count + rot.count;
    this.retry = { paths: [], items: [], count: 0 };
    try {
      const store = this.opts.store;
      if (count > 0)
        this.stored += store.appendUsageFromWal
          ? await store.appendUsageFromWal(paths)
          : await store.appendUsage(items);
    } catch (err) {
      this.retry = { paths, items, count };
      throw err;
    }
    await this.wal.release(paths);
  }

  /** Writes every acknowledged event to the store now. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.flushOnce();
    this.failures = 0;
    this.retryAt = 0;
  }

  /** Flushes and closes; later appends are refused. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.closed = true;
    // A store that cannot take the flush leaves the events in the WAL segments (replayed on the next open).
    try {
      await this.flush();
    } finally {
      await this.wal.close();
    }
  }
}
