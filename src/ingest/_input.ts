/**
 * Turns a user's file into a private copy DuckDB can read safely, because DuckDB's readers trust their input
 * too much: read_csv expands `[`, `*`, `?` and `{` in a path (so `cost[1].csv` read `cost1.csv`), drops
 * rows it cannot decode as UTF-8, and inflates gzip without a cap and loads what it got before a truncation.
 * The copy has a fixed name in a fresh 0700 folder, is gunzipped here with a size and ratio cap, is decoded
 * (UTF-8 with or without a BOM, UTF-16 LE/BE with a BOM, Windows-1252 when no byte sequence is UTF-8) and
 * written as UTF-8, and its data records are counted so the load can prove it read every one.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { TallyError } from '../core/index.js';
import { RecordCounter, utf8Report } from './_records.js';

/** Caps on what a compressed input may inflate to (tally.yaml `ingest`). */
export interface InputLimits {
  /** Largest decompressed size of one file, in bytes. */
  readonly maxDecompressedBytes: number;
  /** Largest decompressed/compressed size ratio (real exports inflate 5-30x; a gzip bomb ~1000x). */
  readonly maxDecompressionRatio: number;
}

/** 20 GiB and 200x: above any real export seen, far below the 1000x of a bomb. */
export const DEFAULT_INPUT_LIMITS: InputLimits = {
  maxDecompressedBytes: 20 * 2 ** 30,
  maxDecompressionRatio: 200,
};

/** Text encodings an input can arrive in. */
export type InputEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** A private, literal, UTF-8 copy of a CSV input. */
export interface StagedCsv {
  readonly path: string;
  readonly encoding: InputEncoding;
  /** Non-blank records outside quotes, header included (what read_csv must account for). */
  readonly records: number;
}

/**
 * One run's private staging folder (mode 0700, under the OS temp folder). Each run owns its own, so two ingests
 * in one long-running process never remove each other's copies.
 */
export class Staging {
  private root: string | null = null;

  constructor(readonly limits: InputLimits = DEFAULT_INPUT_LIMITS) {}

  /** A fresh folder for one file's copy, so every copy can keep the same fixed name. */
  folder(): string {
    this.root ??= mkdtempSync(join(tmpdir(), 'tally-ingest-'));
    return mkdtempSync(join(this.root, 'f-'));
  }

  /** Deletes every copy this run made. */
  remove(): void {
    if (this.root) rmSync(this.root, { recursive: true, force: true });
    this.root = null;
  }
}

/** A parquet input under a fixed name (a symlink: parquet is binary and read as is). */
export function stageParquet(file: string, staging: Staging): string {
  const link = join(staging.folder(), 'input.parquet');
  symlinkSync(resolve(file), link);
  return link;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** Stages a CSV (or .csv.gz) input; throws a clear TallyError for a truncated, oversized or undecodable file. */
export async function stageCsv(file: string, gz: boolean, staging: Staging): Promise<StagedCsv> {
  const limits = staging.limits;
  const compressed = gz || (await startsWith(file, GZIP_MAGIC));
  const out = join(staging.folder(), 'input.csv');
  const first = await decodeTo(file, compressed, limits, out, 'utf-8-or-bom');
  if (first !== 'not-utf-8') return { path: out, ...first };
  // Not UTF-8: a file in which no byte sequence is UTF-8 is a single-byte export (Excel's "CSV" on Windows);
  // one that mixes both is damaged, and guessing would load garbled text, so it is refused by line.
  const report = await utf8Report(source(file, compressed, limits));
  if (report.multiByte > 0)
    throw new TallyError(
      'invalid_input',
      `${basename(file)}: not valid UTF-8 at line ${report.badLines.join(', line ')}${report.more ? ' and more' : ''}, while other lines are UTF-8; re-export the file as UTF-8`,
      { file, lines: report.badLines },
    );
  const again = await decodeTo(file, compressed, limits, out, 'windows-1252');
  if (again === 'not-utf-8') throw new Error('unreachable: windows-1252 decodes every byte');
  return { path: out, ...again };
}

async function startsWith(file: string, magic: readonly number[]): Promise<boolean> {
  for await (const chunk of createReadStream(file, { start: 0, end: magic.length - 1 }))
    return magic.every((b, i) => (chunk as Buffer)[i] === b);
  return false;
}

/** The file's bytes, gunzipped under the caps when compressed. */
function source(file: string, compressed: boolean, limits: InputLimits): NodeJS.ReadableStream {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  if (!compressed) return raw;
  const size = statSync(file).size;
  let total = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      total += chunk.length;
      if (total > limits.maxDecompressedBytes)
        return done(
          tooLarge(file, `inflates past ${limits.maxDecompressedBytes} bytes (ingest.maxDecompressedBytes)`),
        );
      // The ratio is checked against the whole compressed file, with a 1 MiB floor for tiny files.
      if (total > Math.max(limits.maxDecompressionRatio * size, 1 << 20))
        return done(
          tooLarge(
            file,
            `inflates more than ${limits.maxDecompressionRatio}x its ${size} bytes, the ratio of a gzip bomb (ingest.maxDecompressionRatio)`,
          ),
        );
      done(null, chunk);
    },
  });
  return raw
    .pipe(createGunzip())
    .on('error', (e) => cap.destroy(e))
    .pipe(cap);
}

const tooLarge = (file: string, what: string) =>
  new TallyError('payload_too_large', `${basename(file)}: refused: it ${what}`, { file });

type Mode = 'utf-8-or-bom' | 'windows-1252';

/** Decodes the input to UTF-8 at `out`; returns 'not-utf-8' (and stops) when a UTF-8 file is not. */
async function decodeTo(
  file: string,
  compressed: boolean,
  limits: InputLimits,
  out: string,
  mode: Mode,
): Promise<{ encoding: InputEncoding; records: number } | 'not-utf-8'> {
  const counter = new RecordCounter();
  const decode = new Decode(mode, basename(file));
  try {
    await pipeline(source(file, compressed, limits), decode, counter.tap(), createWriteStream(out));
  } catch (err) {
    if (err === NOT_UTF8) return 'not-utf-8';
    if (err instanceof TallyError) throw err;
    const msg = (err as Error).message;
    const truncated = /unexpected end of file/i.test(msg);
    throw new TallyError(
      'invalid_input',
      `${basename(file)}: ${truncated ? 'the compressed file is truncated (incomplete gzip stream); nothing was loaded, fetch it again' : `cannot read (${msg})`}`,
      { file },
      { cause: err },
    );
  }
  return { encoding: decode.encoding, records: counter.records };
}

const NOT_UTF8 = new Error('not utf-8');
const BOM = '\uFEFF';

/**
 * Bytes in, UTF-8 out. The encoding is fixed by the first bytes (a BOM) or by the mode; byte-order marks in
 * the first two lines are dropped (Azure writes one at the file start and another before the first row).
 */
class Decode extends Transform {
  encoding: InputEncoding = 'utf-8';
  private decoder: InstanceType<typeof TextDecoder> | null = null;
  private head: Buffer | null = Buffer.alloc(0);
  private carry = Buffer.alloc(0);

  constructor(
    private readonly mode: Mode,
    private readonly name: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      if (!this.head) return done(null, this.convert(chunk, false));
      this.head = Buffer.concat([this.head, chunk]);
      // Decide once the BOM and the first two lines are in (or 64 KiB, whichever first).
      if (this.head.length < 65_536 && countNewlines(this.head) < 2) return done();
      const out = this.start(this.head, false);
      this.head = null;
      done(null, out);
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      done(null, this.head ? this.start(this.head, true) : this.convert(Buffer.alloc(0), true));
    } catch (err) {
      done(err as Error);
    }
  }

  /** Picks the encoding from the first bytes and returns the head as UTF-8 with its BOMs removed. */
  private start(head: Buffer, last: boolean): Buffer {
    if (this.mode === 'windows-1252') {
      this.encoding = 'windows-1252';
      this.decoder = new TextDecoder('windows-1252');
    } else if (head[0] === 0xff && head[1] === 0xfe) {
      this.encoding = 'utf-16le';
      this.decoder = new TextDecoder('utf-16le', { fatal: true });
    } else if (head[0] === 0xfe && head[1] === 0xff) {
      this.encoding = 'utf-16be';
      this.decoder = new TextDecoder('utf-16be', { fatal: true });
    }
    const lines = this.convert(head, last).toString('utf8').split('\n');
    for (let i = 0; i < Math.min(2, lines.length); i++) lines[i] = lines[i]!.replaceAll(BOM, '');
    return Buffer.from(lines.join('\n'), 'utf8');
  }

  /** Converts bytes to UTF-8; for UTF-8 input only validates (keeping a split character for the next chunk). */
  private convert(chunk: Buffer, last: boolean): Buffer {
    if (this.decoder) {
      try {
        return Buffer.from(this.decoder.decode(chunk, { stream: !last }), 'utf8');
      } catch (err) {
        throw new TallyError(
          'invalid_input',
          `${this.name}: not valid ${this.encoding} text (${(err as Error).message}); nothing was loaded`,
        );
      }
    }
    const bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = last ? bytes.length : completeLength(bytes);
    this.carry = Buffer.from(bytes.subarray(cut));
    const whole = bytes.subarray(0, cut);
    if (!isUtf8(whole)) throw NOT_UTF8;
    return whole;
  }
}

function countNewlines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(0x0a); i >= 0 && n < 2; i = b.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Length of the prefix that does not end inside a UTF-8 multi-byte character. */
function completeLength(b: Buffer): number {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const byte = b[b.length - back]!;
    if ((byte & 0xc0) !== 0x80) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return need > back ? b.length - back : b.length;
    }
  }
  return b.length;
}
