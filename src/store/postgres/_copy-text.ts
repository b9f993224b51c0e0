/**
 * Usage events as PostgreSQL COPY text (tab-separated, `\N` for null, backslash escapes), the ledger flush's
 * encoding. It runs once per event on the flushing process, so it is written for speed: one precomputed writer
 * per column, string concatenation instead of arrays and joins, and timestamps formatted from a per-minute prefix
 * instead of a Date per event (6.5-6.8 µs of CPU an event became 3.9-5.0 µs under load; docs/benchmarks.md).
 */
import { USAGE_COLUMNS, type UsageColumnType, type UsageEvent } from '../usage-event.js';

const NULL = '\\N';
const SPECIAL = /[\\\t\n\r]/;

/** COPY text format: backslash, tab, newline and carriage return escaped; NULL is \N. */
function text(v: string | null): string {
  if (v === null) return NULL;
  return SPECIAL.test(v)
    ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : v;
}

/** Epoch milliseconds (possibly fractional) as an ISO timestamp with microseconds, like DuckDB stores it. */
export function isoMicros(ms: number): string {
  const micros = Math.round(ms * 1000);
  const whole = Math.floor(micros / 1000);
  const rest = micros - whole * 1000;
  return new Date(whole).toISOString().replace('Z', `${String(rest).padStart(3, '0')}Z`);
}

const MINUTE_MICROS = 60_000_000;
let cachedMinute = NaN;
let cachedPrefix = '';

/**
 * isoMicros, but a batch's events share a few minutes: the `YYYY-MM-DDTHH:MM:` prefix is built once per minute
 * and the seconds and microseconds appended. Same text as isoMicros for every instant (a test checks).
 */
export function isoMicrosFast(ms: number): string {
  const micros = Math.round(ms * 1000);
  const minute = Math.floor(micros / MINUTE_MICROS);
  if (minute !== cachedMinute) {
    const iso = new Date(minute * 60_000).toISOString();
    // Years outside 0000-9999 have a longer form: leave them to the general path.
    if (iso.length !== 24) return isoMicros(ms);
    cachedMinute = minute;
    cachedPrefix = iso.slice(0, 17);
  }
  const inMinute = micros - minute * MINUTE_MICROS;
  const sec = Math.floor(inMinute / 1_000_000);
  const frac = inMinute - sec * 1_000_000;
  return `${cachedPrefix}${sec < 10 ? '0' : ''}${sec}.${String(frac).padStart(6, '0')}Z`;
}

const integer = (v: number | null) => (v == null ? NULL : String(Math.round(v)));

/** How each logical usage type is written in COPY's text format (a null is \\N). */
const COPY_TEXT: Record<UsageColumnType, (v: never) => string> = {
  text: (v: string | null) => text(v ?? null),
  epochMs: (v: number) => isoMicrosFast(v),
  int32: integer,
  int16: integer,
  int64: integer,
  bool: (v: boolean | null) => (v == null ? NULL : v ? 't' : 'f'),
  nanos: (v: bigint | null) => (v == null ? NULL : v.toString()),
  json: (v: unknown) => text(JSON.stringify(v ?? {})),
};

const WRITERS = USAGE_COLUMNS.map((c) => {
  const write = COPY_TEXT[c.type] as (v: unknown) => string;
  const field = c.field;
  return (e: UsageEvent) => write(e[field]);
});
const [FIRST, ...REST] = WRITERS;

/** One event as a COPY text line (with its newline), columns in USAGE_COLUMNS order. */
export function copyLine(e: UsageEvent): string {
  let line = FIRST!(e);
  for (const w of REST) line += `\t${w(e)}`;
  return `${line}\n`;
}

/** Events as COPY text in chunks of about `chunkChars` characters, so 100k events are not one giant string. */
export function* copyChunks(events: readonly UsageEvent[], chunkChars = 1 << 20): Generator<string> {
  let buf = '';
  for (const e of events) {
    buf += copyLine(e);
    if (buf.length > chunkChars) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

/** All of `events` as one COPY text. */
export function copyText(events: readonly UsageEvent[]): string {
  let out = '';
  for (const chunk of copyChunks(events)) out += chunk;
  return out;
}
