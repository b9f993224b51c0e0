/**
 * Report answers, reused. Allocation, forecast and recommendation reports take from a few hundred milliseconds
 * to seconds on a 90-day store, while a dashboard or an assistant asks the same questions again and again.
 * Every write through this server clears every answer, so a change made here is seen at once. Between writes:
 * - an answer about a window that ended over an hour ago (`--period` of a past month, `--to` in the past) is
 *   reused until the next write, when this process is the store's single writer (DuckDB under `tally serve`):
 *   the ledger only grows at the present, so nothing but a write can change it;
 * - any other answer is reused for `ttlMs` (ledger growth within `ttlMs`); live reports (usage, freshness)
 *   are never cached.
 *
 * Questions asked recently are also kept warm: `refresh()` recomputes the answers of the keys asked within
 * `warmMs` that a write cleared or that are half-way to their time to live, so the next ask is a hit instead
 * of the report's full cost. The serving process calls it after writes and on a timer, off the request path.
 */

/** How long after a window's end the ledger may still receive its events (late flushes, long streams). */
export const LATE_EVENTS_MS = 3_600_000;

/**
 * Where a report's window ends, from its command line (`--period=YYYY-MM` or `--to=D`, either spelling), in
 * epoch ms; null when it has no fixed end (forecasts, budgets, "latest" defaults).
 */
export function windowEndMs(argv: readonly string[]): number | null {
  const value = (flag: string): string | undefined => {
    const i = argv.findIndex((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
    if (i < 0) return undefined;
    const a = argv[i]!;
    return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
  };
  const period = value('period');
  if (period !== undefined) {
    const m = /^(\d{4})-(\d{2})$/.exec(period);
    return m ? Date.UTC(Number(m[1]), Number(m[2]), 1) : null;
  }
  const to = value('to');
  if (to === undefined) return null;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(to) ? `${to}T00:00:00Z` : to);
  return Number.isFinite(ms) ? ms : null;
}

/** Tuning of a cache beyond its time to live. */
export interface ReportCacheOptions {
  /** At most this many answers are kept (oldest dropped first). Default 500. */
  readonly max?: number;
  /** This process is the store's only writer: answers about closed windows live until a write. */
  readonly singleWriter?: boolean;
  /** A key asked within this long is kept warm by `refresh()`. Default 10 minutes. */
  readonly warmMs?: number;
  /** At most this many keys are kept warm (the most recently asked). Default 32. */
  readonly maxWarm?: number;
}

export class ReportCache {
  private readonly entries = new Map<string, { at: number; closed: boolean; text: string }>();
  /** Keys asked recently: when, and how to recompute them. */
  private readonly asked = new Map<string, { at: number; closed: boolean; compute: () => Promise<string> }>();
  /** Computations running now, shared by every ask of the same key (and by refresh). */
  private readonly running = new Map<string, { generation: number; text: Promise<string> }>();
  private generation = 0;

  private readonly max: number;
  private readonly singleWriter: boolean;
  private readonly warmMs: number;
  private readonly maxWarm: number;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    options: ReportCacheOptions = {},
  ) {
    this.max = options.max ?? 500;
    this.singleWriter = options.singleWriter ?? false;
    this.warmMs = options.warmMs ?? 10 * 60_000;
    this.maxWarm = options.maxWarm ?? 32;
  }

  /** Whether an answer may still be used: closed-window answers until a write, others for `ttlMs`. */
  private fresh(hit: { at: number; closed: boolean }, part = 1): boolean {
    return hit.closed || this.now() - hit.at < this.ttlMs * part;
  }

  /**
   * The cached text for a key, or the result of `compute` (cached when it succeeds). `endMs`: where the
   * report's window ends (`windowEndMs`), null when it has no fixed end.
   */
  async get(
    key: string,
    live: boolean,
    compute: () => Promise<string>,
    endMs: number | null = null,
  ): Promise<string> {
    if (live || this.ttlMs <= 0) return compute();
    const closed = this.singleWriter && endMs !== null && endMs + LATE_EVENTS_MS <= this.now();
    this.asked.delete(key);
    this.asked.set(key, { at: this.now(), closed, compute });
    if (this.asked.size > this.maxWarm) this.asked.delete(this.asked.keys().next().value!);
    const hit = this.entries.get(key);
    if (hit && this.fresh(hit)) return hit.text;
    return this.compute(key, closed, compute);
  }

  /** Computes a key once for every concurrent ask; keeps the answer unless a write landed meanwhile. */
  private compute(key: string, closed: boolean, compute: () => Promise<string>): Promise<string> {
    const run = this.running.get(key);
    if (run && run.generation === this.generation) return run.text;
    const generation = this.generation;
    const text = compute().then((t) => {
      // A write that landed while this was computed may have changed the answer: do not keep it.
      if (generation === this.generation) {
        this.entries.delete(key);
        this.entries.set(key, { at: this.now(), closed, text: t });
        if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
      }
      return t;
    });
    const entry = { generation, text };
    this.running.set(key, entry);
    const done = () => {
      if (this.running.get(key) === entry) this.running.delete(key);
    };
    text.then(done, done);
    return text;
  }

  /**
   * Recomputes, one after another, the keys asked within `warmMs` whose answer is missing (a write cleared it)
   * or past half its time to live. Failures are left for the next ask to report. Returns how many it computed.
   */
  async refresh(): Promise<number> {
    if (this.ttlMs <= 0) return 0;
    let n = 0;
    for (const [key, a] of [...this.asked]) {
      if (this.now() - a.at >= this.warmMs) {
        this.asked.delete(key);
        continue;
      }
      const hit = this.entries.get(key);
      if (hit && this.fresh(hit, 0.5)) continue;
      n++;
      await this.compute(key, a.closed, a.compute).catch(() => undefined);
    }
    return n;
  }

  private readonly clearListeners: (() => void)[] = [];

  /** Calls `listener` after every `clear()` (the serving process schedules a `refresh()`). */
  onClear(listener: () => void): void {
    this.clearListeners.push(listener);
  }

  /**
   * Forgets every answer (after any write), or only the answers of these commands (`['anomalies']` after an
   * alert pass stored incidents: nothing else changed); the keys asked recently stay, for `refresh()`.
   */
  clear(commands?: readonly string[]): void {
    this.generation++;
    if (commands === undefined) this.entries.clear();
    else
      for (const key of [...this.entries.keys()])
        if (commands.includes(commandOf(key))) this.entries.delete(key);
    for (const l of this.clearListeners) l();
  }
}

/** The command name of a cache key (`JSON.stringify([argv, scope])`, as the API context builds it). */
function commandOf(key: string): string {
  try {
    const parsed = JSON.parse(key) as unknown;
    const argv = Array.isArray(parsed) ? (parsed[0] as unknown) : null;
    return Array.isArray(argv) && typeof argv[0] === 'string' ? argv[0] : '';
  } catch {
    return '';
  }
}
