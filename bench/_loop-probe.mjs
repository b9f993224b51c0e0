/**
 * A preload (`node --import bench/_loop-probe.mjs ...`) that records, in the process it loads into, what the
 * event loop was doing when it stalled: a 1 ms interval timer notes every tick that came more than 1.5 ms after
 * the previous one, with the main thread's own CPU and run-queue wait over that gap (/proc/thread-self/schedstat,
 * Linux), every GC (PerformanceObserver 'gc') and every ledger flush (diagnostics channel 'tally:ledger:flush').
 * On exit it writes them as JSON to $TALLY_LOOP_PROBE; bench/_loop-report.ts turns that into counts per second.
 * Plain JavaScript so it loads into built code (`bin/tally.js`), tsx runs and the harness's bare proxy alike.
 * Its own cost (1,000 timer ticks and schedstat reads a second) shows in the CPU figures of a probed run.
 */
import { subscribe } from 'node:diagnostics_channel';
import { readFileSync, writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const OUT = process.env.TALLY_LOOP_PROBE;
if (isMainThread && OUT) {
  /** [start ms, duration ms, kind] (kind: 1 scavenge, 2 minor mark-compact, 4 mark-sweep-compact, 8 incremental, 16 weak callbacks). */
  const gcs = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push([e.startTime, e.duration, e.detail?.kind ?? 0]);
  }).observe({ entryTypes: ['gc'] });
  /** [start ms, end ms, events]. */
  const flushes = [];
  let flushStart = null;
  subscribe('tally:ledger:flush', (m) => {
    if (m.phase === 'start') flushStart = performance.now();
    else if (flushStart !== null) {
      flushes.push([flushStart, performance.now(), m.events]);
      flushStart = null;
    }
  });
  // schedstat: ns on a CPU, ns runnable but waiting for one, timeslices.
  const sched = () => {
    const f = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    return [Number(f[0]) / 1e6, Number(f[1]) / 1e6];
  };
  /** [start ms, gap ms, ms on a CPU, ms waiting for a CPU] for every tick gap over 1.5 ms. */
  const gaps = [];
  let last = performance.now();
  let lastS = sched();
  const timer = setInterval(() => {
    const now = performance.now();
    const s = sched();
    if (now - last > 1.5) gaps.push([last, now - last, s[0] - lastS[0], s[1] - lastS[1]]);
    last = now;
    lastS = s;
  }, 1);
  timer.unref();
  process.on('exit', () => {
    writeFileSync(OUT, JSON.stringify({ timeOrigin: performance.timeOrigin, gaps, gcs, flushes }));
  });
}
