/**
 * The series' own resolution as a floor under the noise scale (ADR 0046). A quantised series (a CPU metric that
 * reads 0.066, 0.132 or 0.134) has residuals that are mostly exactly zero, so a robust scale of them is tiny and a
 * change by one step of the series' grid would score as a huge outlier. The typical non-zero move between
 * consecutive points is the size of one such step; on continuous noisy data it is about the noise's own
 * standard deviation, so a floor at half of it rarely binds there.
 */

import { median, typedSortedAt } from '../_series/index.js';

/** At most this many distinct values per point make a series discrete. */
const DISCRETE_SHARE = 0.1;
/** The bulk of the values: between this quantile and its mirror. */
const BULK = 0.1;

/** Median of the non-zero absolute differences between consecutive values, when the values are discrete (few
 *  distinct values for their number); 0 for continuous values or values that never move. */
export function typicalMove(values: ArrayLike<number>): number {
  // Distinct values counted until there are too many (continuous data stops within a few dozen points).
  const distinct = new Set<number>();
  const most = DISCRETE_SHARE * values.length;
  for (let i = 0; i < values.length; i++) if (distinct.add(values[i]!).size > most) return 0;
  // Moves within the bulk only (both ends between the 10th and 90th percentiles): in a sparse series the moves to
  // and from its rare bursts are the bursts themselves, not a step of its grid.
  const lo = typedSortedAt(values, Math.floor(BULK * (values.length - 1)))!;
  const hi = typedSortedAt(values, Math.ceil((1 - BULK) * (values.length - 1)))!;
  const inBulk = (v: number) => v >= lo && v <= hi;
  const moves: number[] = [];
  for (let i = 1; i < values.length; i++) {
    const d = Math.abs(values[i]! - values[i - 1]!);
    if (d > 0 && Number.isFinite(d) && inBulk(values[i]!) && inBulk(values[i - 1]!)) moves.push(d);
  }
  return moves.length === 0 ? 0 : median(moves);
}
