/**
 * Byte-level facts about a CSV that DuckDB does not report: how many records it has (so a load can prove it
 * read them all), and where a file that is not UTF-8 breaks (so it can be refused by line).
 */
import { Transform, type TransformCallback } from 'node:stream';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Counts CSV records as read_csv sees them: LF, CRLF and a lone CR end a record, except inside quotes; an
 * empty line is skipped (read_csv skips it too); a line of spaces is a record (read_csv rejects and counts it).
 */
export class RecordCounter {
  records = 0;
  private quoted = false;
  private content = false;
  /** The previous chunk ended with CR: an LF starting this one belongs to it. */
  private afterCr = false;

  /** Counts the bytes of one chunk. */
  push(b: Buffer): void {
    let i = this.afterCr && b[0] === LF ? 1 : 0;
    this.afterCr = false;
    // Next position of each special byte, searched again only once passed (one scan of the chunk per byte kind).
    const next = [b.indexOf(QUOTE), b.indexOf(LF), b.indexOf(CR)];
    const find = (k: 0 | 1 | 2, byte: number): number => {
      if (next[k]! >= 0 && next[k]! < i) next[k] = b.indexOf(byte, i);
      return next[k]!;
    };
    while (i < b.length) {
      const q = find(0, QUOTE);
      if (this.quoted) {
        if (q < 0) return;
        this.quoted = false;
        i = q + 1;
        continue;
      }
      const lf = find(1, LF);
      const cr = find(2, CR);
      const brk = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      if (brk >= 0 && (q < 0 || brk < q)) {
        if (brk > i) this.content = true;
        if (this.content) this.records++;
        this.content = false;
        i = brk + 1;
        if (b[brk] === CR) {
          if (i === b.length) this.afterCr = true;
          else if (b[i] === LF) i++;
        }
      } else if (q >= 0) {
        this.content = true;
        this.quoted = true;
        i = q + 1;
      } else {
        this.content = true;
        return;
      }
    }
  }

  /** Ends the input (a last record without a line break counts); returns the count. */
  end(): number {
    if (this.content) this.records++;
    this.content = false;
    return this.records;
  }

  /** A pass-through stream that counts what flows through it. */
  tap(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc, done: TransformCallback) => {
        this.push(chunk);
        done(null, chunk);
      },
      flush: (done: TransformCallback) => {
        this.end();
        done();
      },
    });
  }
}

/** Where a byte stream is not UTF-8. */
export interface Utf8Report {
  /** The first lines (1-based) holding a byte that is not UTF-8. */
  readonly badLines: number[];
  /** More lines than those listed are bad. */
  readonly more: boolean;
  /** How many well-formed multi-byte UTF-8 characters the stream holds. */
  readonly multiByte: number;
}

/** Scans a stream for UTF-8 errors by line (only run once a file is known not to be valid UTF-8). */
export async function utf8Report(stream: NodeJS.ReadableStream, maxLines = 10): Promise<Utf8Report> {
  const bad: number[] = [];
  let more = false;
  let line = 1;
  let need = 0;
  let multiByte = 0;
  const mark = () => {
    if (bad[bad.length - 1] === line) return;
    if (bad.length < maxLines) bad.push(line);
    else more = true;
  };
  for await (const chunk of stream) {
    for (const byte of chunk as Buffer) {
      if (need > 0) {
        if ((byte & 0xc0) === 0x80) {
          if (--need === 0) multiByte++;
          continue;
        }
        mark();
        need = 0;
      }
      if (byte === LF) line++;
      else if (byte < 0x80) continue;
      else if (byte >= 0xc2 && byte <= 0xdf) need = 1;
      else if (byte >= 0xe0 && byte <= 0xef) need = 2;
      else if (byte >= 0xf0 && byte <= 0xf4) need = 3;
      else mark();
    }
  }
  if (need > 0) mark();
  return { badLines: bad, more, multiByte };
}
