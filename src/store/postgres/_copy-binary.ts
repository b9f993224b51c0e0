/**
 * Usage events in PostgreSQL's binary COPY format, the ledger flush's encoding (ADR 0034). The server then
 * parses no text: a timestamp is 8 bytes of microseconds, a number its bytes, a text its UTF-8 bytes (text COPY
 * made it run timestamptz_in, int8in, boolin and the escape scanner on every field). Node writes straight into
 * Buffers, with no timestamp formatting and no string building.
 *
 * Layout: the 19-byte header, then per row an int16 field count and per field an int32 byte length (-1 for
 * NULL) and the value; an int16 -1 ends the data. Rows may span chunks: COPY reads a byte stream.
 */
import { USAGE_COLUMNS, type UsageColumnType, type UsageEvent } from '../usage-event.js';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01T00:00:00Z). */
const PG_EPOCH_MICROS = 946_684_800_000_000;
const TWO_32 = 2 ** 32;

/** Fills Buffers of `chunkBytes` and hands each over when full. */
class Writer {
  buf: Buffer;
  at = 0;
  readonly done: Buffer[] = [];
  constructor(private readonly chunkBytes: number) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
  }
  /** Makes room for n more bytes (a new chunk when this one is full; a larger one for a huge field). */
  room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    if (this.at > 0) this.done.push(this.buf.subarray(0, this.at));
    this.buf = Buffer.allocUnsafe(Math.max(this.chunkBytes, n));
    this.at = 0;
  }
  int16(v: number): void {
    this.room(2);
    this.at = this.buf.writeInt16BE(v, this.at);
  }
  nul(): void {
    this.room(4);
    this.i32(-1);
  }
  /** A whole number up to 2^53 as int64 (two's complement via the high and low words). */
  int64(v: number): void {
    this.room(12);
    this.i32(8);
    const hi = Math.floor(v / TWO_32);
    this.i32(hi);
    this.i32(v - hi * TWO_32);
  }
  /** Big-endian int32 at the cursor (the caller made room). */
  i32(v: number): void {
    const b = this.buf;
    let at = this.at;
    b[at++] = v >>> 24;
    b[at++] = (v >>> 16) & 0xff;
    b[at++] = (v >>> 8) & 0xff;
    b[at++] = v & 0xff;
    this.at = at;
  }
  text(s: string): void {
    const len = s.length;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.room(4 + 3 * len);
    const b = this.buf;
    const start = this.at + 4;
    // Short ASCII text (ids, teams, models) byte by byte: a Buffer.write call costs more than the copy.
    if (len <= 64) {
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + i] = c;
      }
      if (i === len) {
        this.i32(len);
        this.at = start + len;
        return;
      }
    }
    const n = b.write(s, start, 'utf8');
    this.i32(n);
    this.at = start + n;
  }
  /** The chunks completed so far (and, when `end`, the rest), handed over once. */
  take(end = false): Buffer[] {
    if (end && this.at > 0) {
      this.done.push(this.buf.subarray(0, this.at));
      this.buf = Buffer.allocUnsafe(0);
      this.at = 0;
    }
    return this.done.splice(0);
  }
}

type Field = (w: Writer, v: never) => void;

/** How each logical usage type is written (a null is length -1). */
const BINARY: Record<UsageColumnType, Field> = {
  text: (w, v: string | null) => (v == null ? w.nul() : w.text(v)),
  epochMs: (w, v: number) => w.int64(Math.round(v * 1000) - PG_EPOCH_MICROS),
  int32: (w, v: number | null) => {
    if (v == null) return w.nul();
    w.room(8);
    w.i32(4);
    w.i32(Math.round(v));
  },
  int16: (w, v: number | null) => {
    if (v == null) return w.nul();
    w.room(6);
    w.i32(2);
    w.at = w.buf.writeInt16BE(Math.round(v), w.at);
  },
  int64: (w, v: number | null) => (v == null ? w.nul() : w.int64(Math.round(v))),
  bool: (w, v: boolean | null) => {
    if (v == null) return w.nul();
    w.room(5);
    w.i32(1);
    w.buf[w.at++] = v ? 1 : 0;
  },
  nanos: (w, v: bigint | null) => {
    if (v == null) return w.nul();
    w.room(12);
    w.i32(8);
    w.at = w.buf.writeBigInt64BE(v, w.at);
  },
  // The json type's binary form is its text.
  json: (w, v: unknown) => w.text(JSON.stringify(v ?? {})),
};

const FIELDS = USAGE_COLUMNS.map((c) => {
  const write = BINARY[c.type] as (w: Writer, v: unknown) => void;
  const field = c.field;
  return (w: Writer, e: UsageEvent) => write(w, e[field]);
});

/** One event as a binary COPY row, columns in USAGE_COLUMNS order. */
function writeRow(w: Writer, e: UsageEvent): void {
  w.int16(FIELDS.length);
  for (const f of FIELDS) f(w, e);
}

/**
 * Events as binary COPY data (header, rows, trailer) in chunks of about `chunkBytes`, so that the server inserts
 * one chunk while Node encodes the next.
 */
export function* copyBinaryChunks(events: readonly UsageEvent[], chunkBytes = 64 * 1024): Generator<Buffer> {
  const w = new Writer(chunkBytes);
  w.room(19);
  SIGNATURE.copy(w.buf, 0);
  w.at = w.buf.writeInt32BE(0, SIGNATURE.length); // flags
  w.at = w.buf.writeInt32BE(0, w.at); // header extension length
  for (const e of events) {
    writeRow(w, e);
    if (w.done.length) yield* w.take();
  }
  w.int16(-1);
  yield* w.take(true);
}
