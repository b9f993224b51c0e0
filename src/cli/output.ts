/** Output for people (tables, progress bars on a terminal) and for machines (one JSON document). */
import type { TallyError } from '../core/index.js';

/** Where a command writes. */
export interface Output {
  /** Prints one JSON document on stdout (bigints as numbers when safe, else strings). */
  json(value: unknown): void;
  /** Prints a line for people on stdout. */
  line(text?: string): void;
  /** Prints a note on stderr (never pollutes --json stdout). */
  note(text: string): void;
  /** Prints rows as an aligned table. */
  table(rows: readonly Record<string, unknown>[], columns?: readonly string[]): void;
  /** A progress bar on stderr when it is a terminal and not --json; a no-op otherwise. */
  progress(label: string, total: number): Progress;
}

/** A progress bar handle. */
export interface Progress {
  update(done: number): void;
  done(): void;
}

/** JSON.stringify that writes bigints as numbers (or strings beyond 2^53). */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === 'bigint')
        return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(v)
          : v.toString();
      return v;
    },
    indent,
  );
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number')
    return Number.isInteger(v)
      ? v.toLocaleString('en-US')
      : v.toLocaleString('en-US', { maximumFractionDigits: 4 });
  if (typeof v === 'object') return toJson(v);
  return String(v);
}

/** Renders rows as an aligned text table (numbers right-aligned). */
export function renderTable(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  if (rows.length === 0) return '(no rows)';
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const numeric = cols.map((c) =>
    rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === 'number'),
  );
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const fmt = (vals: readonly string[]) =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [fmt(cols), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(fmt)].join('\n');
}

/** Somewhere text goes: a terminal, a pipe, or a buffer when a server runs the command for a client. */
export interface Sink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** The process's output. */
export function createOutput(opts: { json: boolean; stdout?: Sink; stderr?: Sink }): Output {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const interactive = !opts.json && stderr.isTTY === true;
  return {
    json: (value) => stdout.write(toJson(value) + '\n'),
    line: (text = '') => {
      if (!opts.json) stdout.write(text + '\n');
    },
    note: (text) => stderr.write(text + '\n'),
    table: (rows, columns) => {
      if (!opts.json) stdout.write(renderTable(rows, columns) + '\n');
    },
    progress: (label, total) => {
      if (!interactive || total <= 0) return { update: () => undefined, done: () => undefined };
      let last = -1;
      const draw = (done: number) => {
        const pct = Math.min(100, Math.floor((done / total) * 100));
        if (pct === last) return;
        last = pct;
        const width = 30;
        const filled = Math.round((pct / 100) * width);
        stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}%`);
      };
      return { update: draw, done: () => stderr.write(`\r${label} done${' '.repeat(40)}\n`) };
    },
  };
}

/** Prints an error the way the CLI does: a message on stderr, and a JSON document on stdout with --json. */
export function printError(out: Output, err: TallyError, json: boolean): void {
  if (json) out.json({ error: { code: err.code, message: err.message, details: err.details } });
  out.note(`error: ${err.message}`);
}
