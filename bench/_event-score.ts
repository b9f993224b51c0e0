/**
 * Event-level scoring of point alarms against labelled windows, exactly as labelled (no widening): an event is
 * detected when a flagged point falls inside its window; flagged points merge into alarms (runs with gaps of at
 * most `gap` steps); an alarm that overlaps no window is a false positive. Precision = detected events /
 * (detected events + false alarms); recall = detected events / events; delay = first flagged point in the window
 * minus the window's start, in steps.
 */

/** A labelled window, inclusive point indices. */
export interface Window {
  readonly from: number;
  readonly to: number;
}

/** Counts for one series. */
export interface EventCounts {
  events: number;
  detected: number;
  falseAlarms: number;
  delays: number[];
}

/** Scores flagged indices (ascending) against windows. */
export function scoreEvents(flagged: readonly number[], windows: readonly Window[], gap = 2): EventCounts {
  const alarms: { from: number; to: number }[] = [];
  for (const i of flagged) {
    const last = alarms[alarms.length - 1];
    if (last && i - last.to <= gap) last.to = i;
    else alarms.push({ from: i, to: i });
  }
  const inWindow = (i: number) => windows.some((w) => i >= w.from && i <= w.to);
  let falseAlarms = 0;
  for (const a of alarms) {
    let overlaps = false;
    for (const i of flagged) if (i >= a.from && i <= a.to && inWindow(i)) overlaps = true;
    if (!overlaps) falseAlarms++;
  }
  const delays: number[] = [];
  let detected = 0;
  for (const w of windows) {
    const first = flagged.find((i) => i >= w.from && i <= w.to);
    if (first !== undefined) {
      detected++;
      delays.push(first - w.from);
    }
  }
  return { events: windows.length, detected, falseAlarms, delays };
}

/** Precision, recall, F1 and delays of summed counts. */
export function summarise(counts: readonly EventCounts[]) {
  const events = counts.reduce((a, c) => a + c.events, 0);
  const detected = counts.reduce((a, c) => a + c.detected, 0);
  const falseAlarms = counts.reduce((a, c) => a + c.falseAlarms, 0);
  const delays = counts.flatMap((c) => c.delays).sort((a, b) => a - b);
  const precision = detected + falseAlarms === 0 ? 0 : detected / (detected + falseAlarms);
  const recall = events === 0 ? 0 : detected / events;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    events,
    detected,
    falseAlarms,
    precision: +precision.toFixed(3),
    recall: +recall.toFixed(3),
    f1: +f1.toFixed(3),
    medianDelaySteps: delays[Math.floor(delays.length / 2)] ?? null,
    meanDelaySteps: delays.length ? +(delays.reduce((a, b) => a + b, 0) / delays.length).toFixed(1) : null,
  };
}
