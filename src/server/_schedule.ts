/**
 * Scheduled work of `tally serve`, in the worker: alert evaluation (anomaly incidents found and stored, budgets,
 * sinks) at start (unless told not to) and every `alertsSeconds`, and ingest of new files dropped in a watched folder. Passes never overlap; a failing pass
 * is reported and retried at the next tick.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { toTallyError, type TallyConfig } from '../core/index.js';
import type { CostStore } from '../store/index.js';
import { evaluateAlerts } from '../alerts/index.js';
import type { CommandResult } from '../api/index.js';

const EXPORT_FILE = /\.(csv|csv\.gz|parquet)$/i;

/** When the scheduled alert pass runs, and whether dashboard answers are computed ahead after it. */
export interface SchedulePlan {
  /** Seconds between passes, or null for none. */
  readonly alertsSeconds: number | null;
  readonly passAtStart: boolean;
  /** Skip a pass while no alert sink and no budget exists. */
  readonly passOnlyWithWork: boolean;
  readonly seedAnswers: boolean;
}

/**
 * `server.scheduledPass` for a process (ADR 0045). `tally serve` (auto) runs the pass at start, so the dashboard
 * reads stored incidents, and on the interval. `tally gateway` has no dashboard: by default it keeps the
 * behaviour it had before `tally serve` (on the interval only, only while sinks or budgets exist, no answers
 * computed ahead), so a gateway restart costs no anomaly scan.
 */
export function schedulePlan(config: TallyConfig, mode: 'serve' | 'gateway'): SchedulePlan {
  const pass = config.server.scheduledPass;
  const gatewayOnly = mode === 'gateway';
  return {
    alertsSeconds:
      pass === 'never' ? null : (config.server.alertsSeconds ?? config.alerts?.intervalSeconds ?? 300),
    passAtStart: pass === 'always' || (pass === 'auto' && !gatewayOnly),
    passOnlyWithWork: pass === 'auto' && gatewayOnly,
    seedAnswers: !gatewayOnly,
  };
}

/** Starts the timers; `stop` waits for a running pass that writes, not for one that is still reading. */
export function startSchedule(opts: {
  store: CostStore;
  config: TallyConfig;
  alertsSeconds: number | null;
  /** Run the first alert pass at start rather than after alertsSeconds. */
  passAtStart: boolean;
  /** Asked before each alert pass: false skips it (nothing would use its result). Absent: every pass runs. */
  whenDue?: () => Promise<boolean>;
  watch: { dir: string; intervalSeconds: number } | null;
  run(argv: readonly string[], o: { scope: null; actor: string }): Promise<CommandResult>;
  log?: (line: string) => void;
  /** Told after each alert pass (`tally serve --json` prints these as JSON lines). */
  onPass?: (summary: { at: string; anomalies: number; budgets: number; sent: number }) => void;
}): { stop(): Promise<void> } {
  const log = opts.log ?? ((l: string) => process.stderr.write(`tally serve: ${l}\n`));
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<void>>();
  // Passes still only reading: stopping need not wait for them (they have nothing to lose).
  const reading = new Set<Promise<void>>();
  let stopping = false;
  const every = (
    seconds: number,
    pass: (writing: () => void) => Promise<void>,
    immediately = false,
    readsFirst = false,
  ) => {
    let busy = false;
    const tick = () => {
      if (busy || stopping) return;
      busy = true;
      let p: Promise<void> | null = null;
      const writing = () => {
        if (p) reading.delete(p);
      };
      p = pass(writing)
        .catch((err: unknown) => log(toTallyError(err).message))
        .finally(() => {
          busy = false;
          running.delete(p!);
          reading.delete(p!);
        });
      running.add(p);
      if (readsFirst) reading.add(p);
    };
    const t = setInterval(tick, seconds * 1000);
    t.unref();
    timers.push(t);
    // `tally serve`'s first alert pass runs at start: it stores the incidents of the last 35 days, so the
    // dashboard reads them instead of scanning.
    if (immediately) {
      const first = setTimeout(tick, 0);
      first.unref();
      timers.push(first);
    }
  };
  if (opts.alertsSeconds)
    every(
      opts.alertsSeconds,
      async (writing) => {
        if (opts.whenDue && !(await opts.whenDue())) return;
        const s = await evaluateAlerts(opts.store, opts.config, new Date(), { beforeWrite: writing });
        const sent = s.alerts.filter((a) => a.outcome === 'sent' || a.outcome === 'updated').length;
        opts.onPass?.({ at: s.at, anomalies: s.anomalies, budgets: s.budgets, sent });
      },
      opts.passAtStart,
      true,
    );
  if (opts.watch) {
    const seen = new Map<string, string>();
    const dir = opts.watch.dir;
    every(opts.watch.intervalSeconds, async () => {
      for (const name of (await readdir(dir)).sort()) {
        if (!EXPORT_FILE.test(name)) continue;
        const path = join(dir, name);
        const s = await stat(path);
        const sig = `${s.size}:${s.mtimeMs}`;
        // A file still being written changes between passes: wait until it is stable for one interval.
        if (seen.get(path) !== `pending:${sig}` && seen.get(path) !== sig) {
          seen.set(path, `pending:${sig}`);
          continue;
        }
        if (seen.get(path) === sig) continue;
        const r = await opts.run(['ingest', path, '--json'], { scope: null, actor: 'system:watch' });
        seen.set(path, sig);
        if (r.code !== 0) log(`ingest of ${path} failed: ${r.stderr.trim()}`);
      }
    });
  }
  return {
    async stop() {
      stopping = true;
      for (const t of timers) clearTimeout(t);
      // A pass that has begun writing (or an ingest) finishes; an alert pass still reading is abandoned: it has
      // written and sent nothing, and the next start runs it again. So SIGTERM does not wait for a long scan.
      await Promise.all([...running].filter((p) => !reading.has(p)));
    },
  };
}
