/**
 * How well the committed schedule has held: at up to 8 weekly origins in the export's billed history, the schedule
 * read from the days before the origin is compared with what the export then billed as committed over the next
 * days (the window's length, or what history allows, at least 7). A schedule that always matched to the cent is
 * certain (zero-width interval); otherwise the interval applies the smallest and largest relative errors seen (a
 * deployment added or removed), which with 8 origins is close to a p10-p90 range and never narrower.
 */
import { nanosToUsd, type Nanos } from '../../core/index.js';

const DAY = 86_400_000;
const ORIGINS = 8;
const MIN_DAYS = 7;

/** The committed part of a forecast: quantiles and their source. */
export interface CommittedInterval {
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  /**
   * `schedule`: the schedule matched the bill at every backtest origin (zero width); `backtest`: the interval
   * comes from its relative errors; `none`: too little billed history to backtest (zero width, unverified).
   */
  readonly source: 'schedule' | 'backtest' | 'none';
  /** Origins the schedule was checked at. */
  readonly origins: number;
}

/** What the backtest needs of the history (a subset of SplitHistory). */
interface History {
  readonly committed: ReadonlyMap<number, Nanos>;
  readonly historyFrom: number;
  readonly today: number;
  readonly exportEnd: number | null;
}

/** The interval of `committedUsd` (the schedule's sum over `days`), from the schedule's backtest. */
export function committedInterval<H extends History>(
  h: H,
  committedUsd: number,
  days: number,
  scheduleAt: (h: H) => { at: (day: number) => number },
): CommittedInterval {
  const end = Math.min(h.today, h.exportEnd ?? h.historyFrom);
  const errors: number[] = [];
  for (let k = 1; k <= ORIGINS; k++) {
    const origin = end - k * MIN_DAYS * DAY;
    const len = Math.min(Math.max(1, days), Math.round((end - origin) / DAY));
    if (origin - MIN_DAYS * DAY < h.historyFrom || len < MIN_DAYS) break;
    const { at } = scheduleAt({ ...h, today: origin, exportEnd: origin });
    let planned = 0;
    let billed = 0;
    for (let d = origin; d < origin + len * DAY; d += DAY) {
      planned += at(d);
      billed += nanosToUsd(h.committed.get(d) ?? 0n);
    }
    if (planned > 0) errors.push(billed / planned - 1);
    else if (billed > 0.005) errors.push(1);
  }
  const flat = { p10: committedUsd, p50: committedUsd, p90: committedUsd, origins: errors.length };
  if (errors.length === 0) return { ...flat, source: 'none' };
  // Within half a cent a day of the schedule everywhere: certain.
  if (errors.every((e) => Math.abs(e) * committedUsd < 0.005 * Math.max(1, days)))
    return { ...flat, source: 'schedule' };
  const lo = Math.min(0, ...errors);
  const hi = Math.max(0, ...errors);
  return {
    p10: Math.max(0, committedUsd * (1 + lo)),
    p50: committedUsd,
    p90: committedUsd * (1 + hi),
    source: 'backtest',
    origins: errors.length,
  };
}
