/**
 * How a series file writes its timestamps, so what Tally prints about it (anomalies, forecast points) is written
 * the same way: a NAB file's "2014-02-14 14:30:00" comes back as "2014-02-14 14:30:00", not as a zoned ISO
 * string a zone-less reader cannot compare with it, and an integer index comes back as an integer.
 */

/** A file's timestamp style, from its first data row. */
export type TimeStyle =
  /** Epoch numbers: seconds below 1e11, else milliseconds. */
  | { readonly kind: 'epoch'; readonly unit: 's' | 'ms' }
  /** A plain index (1, 2, 3...: integers below 1e8, before 1973 as epoch seconds), read as hours (INDEX_STEP_MS). */
  | { readonly kind: 'index' }
  /** A calendar date, "2026-03-01". */
  | { readonly kind: 'date' }
  /** A zone-less date and time (read as UTC): its separator, whether it has seconds, its fraction digits. */
  | { readonly kind: 'naive'; readonly sep: ' ' | 'T'; readonly seconds: boolean; readonly fraction: number }
  /** A zone was given (or the text is in another form): ISO 8601 in UTC. */
  | { readonly kind: 'iso' };

/**
 * What one unit of a plain integer index stands for. An index carries no unit; benchmark files written this way
 * (Yahoo's S5, M4 converted with an index) are mostly hourly, and the season is detected from the data anyway.
 */
export const INDEX_STEP_MS = 3_600_000;

/** True for a timestamp cell that is a plain index rather than a time: an integer below 1e8. */
export function isIndexCell(text: string): boolean {
  const t = text.trim();
  return /^\d+$/.test(t) && Number(t) < 1e8;
}

const NAIVE = /^\d{4}-\d{2}-\d{2}([ T])\d{2}:\d{2}(:\d{2}(\.(\d+))?)?$/;

/** The style of one timestamp cell as written. */
export function timeStyleOf(text: string): TimeStyle {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return { kind: 'epoch', unit: Number(t) < 1e11 ? 's' : 'ms' };
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return { kind: 'date' };
  const m = NAIVE.exec(t);
  if (m)
    return {
      kind: 'naive',
      sep: m[1] === 'T' ? 'T' : ' ',
      seconds: m[2] !== undefined,
      fraction: m[4]?.length ?? 0,
    };
  return { kind: 'iso' };
}

/**
 * Writes epoch milliseconds in `style`. Without a style (a series from the store): a date for whole-day steps at
 * midnight, else ISO 8601 in UTC. A date style keeps dates while the time is midnight.
 */
export function formatTime(ms: number, stepMs: number, style?: TimeStyle): string {
  const iso = new Date(ms).toISOString();
  const midnight = iso.endsWith('T00:00:00.000Z');
  switch (style?.kind) {
    case 'epoch':
      return String(style.unit === 's' ? ms / 1000 : ms);
    case 'index':
      return String(ms / INDEX_STEP_MS);
    case 'date':
      return midnight ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
    case 'naive': {
      const clock = iso.slice(11, style.seconds ? 19 : 16);
      const frac =
        style.fraction > 0
          ? `.${iso.slice(20, 23).padEnd(style.fraction, '0').slice(0, style.fraction)}`
          : '';
      return `${iso.slice(0, 10)}${style.sep}${clock}${style.seconds ? frac : ''}`;
    }
    case 'iso':
    case undefined:
      return stepMs % 86_400_000 === 0 && midnight ? iso.slice(0, 10) : iso;
  }
}
