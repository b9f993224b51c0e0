/**
 * Turns bench/_loop-probe.mjs's record into the load-insensitive view of event-loop stalls over a measured window:
 * how many stalls over 1, 2 and 5 ms per second, whether the main thread was working (on a CPU) or waiting for
 * a core during them, and how much of them a GC or a ledger flush overlapped. A stall is a 1 ms timer tick late
 * by more than the threshold (gap − 1 ms).
 */
import { readFileSync } from 'node:fs';

interface ProbeRecord {
  timeOrigin: number;
  gaps: [number, number, number, number][];
  gcs: [number, number, number][];
  flushes: [number, number, number][];
}

const overlap = (a0: number, a1: number, b0: number, b1: number) =>
  Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
const r1 = (x: number) => Math.round(x * 10) / 10;

/** Summarises a probe file over the epoch-ms window [from, to]. */
export function loopReport(file: string, from: number, to: number) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as ProbeRecord;
  const lo = from - p.timeOrigin;
  const hi = to - p.timeOrigin;
  const seconds = (hi - lo) / 1000;
  const gcs = p.gcs.filter(([s]) => s >= lo && s <= hi);
  const flushes = p.flushes.filter(([s]) => s >= lo && s <= hi);
  const stalls = p.gaps
    .filter(([s]) => s >= lo && s <= hi)
    .map(([s, gap, ran, waited]) => {
      const e = s + gap;
      return {
        ms: gap - 1,
        ran,
        waited,
        gc: gcs.reduce((t, [g, d]) => t + overlap(s, e, g, g + d), 0),
        flush: flushes.some(([f0, f1]) => overlap(s, e, f0, f1) > 0),
      };
    });
  const over = (ms: number) => {
    const xs = stalls.filter((x) => x.ms > ms);
    const sum = (f: (x: (typeof xs)[number]) => number) => r1(xs.reduce((t, x) => t + f(x), 0));
    return {
      perS: r1(xs.length / seconds),
      stalledMs: sum((x) => x.ms),
      onCpuMs: sum((x) => x.ran),
      waitingForCpuMs: sum((x) => x.waited),
      gcMs: sum((x) => x.gc),
      inFlush: xs.filter((x) => x.flush).length,
      of: xs.length,
    };
  };
  const byKind: Record<string, { n: number; ms: number; maxMs: number }> = {};
  for (const [, d, k] of gcs) {
    const name =
      (
        { 1: 'scavenge', 2: 'minorMC', 4: 'markSweep', 8: 'incremental', 16: 'weak' } as Record<
          number,
          string
        >
      )[k] ?? String(k);
    const b = (byKind[name] ??= { n: 0, ms: 0, maxMs: 0 });
    b.n++;
    b.ms = r1(b.ms + d);
    b.maxMs = Math.max(b.maxMs, r1(d));
  }
  // Stalls over 2 ms per second inside flush windows and outside them: a ratio near 1 means the flush no longer
  // makes the event loop wait more than the rest of the run does (the neighbours' share is in both).
  const flushMs = flushes.reduce((t, [a, b]) => t + b - a, 0);
  const in2 = stalls.filter((x) => x.ms > 2 && x.flush).length;
  const out2 = stalls.filter((x) => x.ms > 2 && !x.flush).length;
  const inRate = flushMs > 0 ? in2 / (flushMs / 1000) : 0;
  const outRate = out2 / Math.max(0.001, seconds - flushMs / 1000);
  return {
    seconds: r1(seconds),
    flushStallRatio: {
      inFlushPerS: r1(inRate),
      outsidePerS: r1(outRate),
      ratio: r1(outRate > 0 ? inRate / outRate : 0),
    },
    over1ms: over(1),
    over2ms: over(2),
    over5ms: over(5),
    gc: byKind,
    flushes: {
      n: flushes.length,
      meanMs: r1(flushes.reduce((t, [a, b]) => t + b - a, 0) / Math.max(1, flushes.length)),
      maxMs: r1(Math.max(0, ...flushes.map(([a, b]) => b - a))),
      events: flushes.reduce((t, [, , n]) => t + n, 0),
    },
  };
}
