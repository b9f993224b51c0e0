/**
 * Keeps the worker's report cache warm, off the request path: soon after every write (which clears it) and on
 * a timer before answers reach their time to live, the questions asked in the last minutes are recomputed one
 * at a time, so an assistant or dashboard asking again gets a hit instead of the report's full cost (ADR 0027).
 * After each scheduled pass, `seed` computes the answers most likely asked next (last month's reports).
 */
import type { ReportCache } from '../api/index.js';

/** Starts keeping `cache` warm; `stop` waits for a running refresh. */
export function keepReportsWarm(
  cache: ReportCache,
  opts: { everyMs: number; afterWriteMs: number; log?: (line: string) => void },
): { seed(compute: () => Promise<void>): void; stop(): Promise<void> } {
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  let pending: NodeJS.Timeout | null = null;
  // One piece of background work at a time: refreshes and seeds queue behind each other.
  const enqueue = (work: () => Promise<unknown>) => {
    chain = chain.then(async () => {
      if (stopped) return;
      try {
        await work();
      } catch (err) {
        opts.log?.(`keeping reports warm failed: ${String(err)}`);
      }
    });
  };
  // At most one refresh waits in the queue: a slow refresh never piles up timer ticks behind it.
  let refreshQueued = false;
  const refresh = () => {
    if (refreshQueued) return;
    refreshQueued = true;
    enqueue(() => {
      refreshQueued = false;
      return cache.refresh();
    });
  };
  const soon = () => {
    if (pending || stopped) return;
    pending = setTimeout(() => {
      pending = null;
      refresh();
    }, opts.afterWriteMs);
    pending.unref();
  };
  cache.onClear(soon);
  const timer = setInterval(refresh, opts.everyMs);
  timer.unref();
  return {
    seed(compute) {
      enqueue(compute);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (pending) clearTimeout(pending);
      await chain;
    },
  };
}
