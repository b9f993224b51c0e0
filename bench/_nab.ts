/**
 * Reads a NAB-layout directory: `labels/combined_windows.json` (or `combined_windows.json` at the top, as
 * ../shared/data/eval/nab-artificial has it) and `data/<category>/<file>.csv`. Only labelled files that are present
 * are loaded; each window becomes inclusive point indices, exactly as labelled (no widening).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSeriesCsv, parseTimestamp } from '../src/analytics/_series/index.js';
import type { Window } from './_event-score.js';

/** One labelled series. */
export interface Labelled {
  /** `category/file.csv`, as in NAB's labels. */
  readonly name: string;
  readonly category: string;
  readonly values: readonly number[];
  readonly timestamps: readonly number[];
  readonly stepMs: number;
  readonly windows: readonly Window[];
}

/** Labelled series of a NAB-layout directory whose key passes `keep`; null when there are no labels. */
export function loadNabDir(dir: string, keep: (name: string) => boolean = () => true): Labelled[] | null {
  const file = [join(dir, 'labels', 'combined_windows.json'), join(dir, 'combined_windows.json')].find(
    existsSync,
  );
  if (!file) return null;
  const labels = JSON.parse(readFileSync(file, 'utf8')) as Record<string, [string, string][]>;
  const out: Labelled[] = [];
  for (const [name, spans] of Object.entries(labels)) {
    const path = join(dir, 'data', name);
    if (!keep(name) || !existsSync(path)) continue;
    const [s] = parseSeriesCsv(readFileSync(path, 'utf8'), name);
    if (!s) continue;
    const windows = spans.map(([a, b]) => ({
      from: s.timestamps.findIndex((x) => x >= parseTimestamp(a)),
      to: s.timestamps.findLastIndex((x) => x <= parseTimestamp(b)),
    }));
    const category = name.split('/')[0] ?? '';
    out.push({ name, category, values: s.values, timestamps: s.timestamps, stepMs: s.stepMs, windows });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
