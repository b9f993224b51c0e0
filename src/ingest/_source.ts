/**
 * Source files: expand paths/folders/globs, hash a file (streamed), and read a CSV header line (also from .gz)
 * without reading the whole file.
 */
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { basename, dirname, join, resolve } from 'node:path';
import { TallyError } from '../core/index.js';

/** Kinds of file we read. */
export type FileKind = 'csv' | 'csv.gz' | 'parquet';

/** What kind of file a path is, by extension; null if we do not read it. */
export function fileKind(path: string): FileKind | null {
  const p = path.toLowerCase();
  if (p.endsWith('.csv.gz') || p.endsWith('.tsv.gz')) return 'csv.gz';
  if (p.endsWith('.csv') || p.endsWith('.tsv') || p.endsWith('.txt')) return 'csv';
  if (p.endsWith('.parquet') || p.endsWith('.snappy.parquet')) return 'parquet';
  return null;
}

function globToRegExp(glob: string): RegExp {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*\/?/g, '@@GLOBSTAR@@')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]')
    .replace(/@@GLOBSTAR@@/g, '(?:.*/)?');
  return new RegExp(`^${re}$`);
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (fileKind(p)) out.push(p);
  }
}

/** Expands files, folders (recursively) and globs (`*`, `**`, `?`) into readable files, sorted, without repeats. */
export function expandPaths(inputs: readonly string[], cwd = process.cwd()): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    const abs = resolve(cwd, input);
    if (/[*?]/.test(input)) {
      const firstWild = abs.search(/[*?]/);
      const root = dirname(abs.slice(0, firstWild + 1));
      const re = globToRegExp(abs);
      const found: string[] = [];
      if (existsSync(root)) walk(root, found);
      const hits = found.filter((f) => re.test(f));
      if (hits.length === 0)
        throw new TallyError('not_found', `no cost files match ${input}`, { file: input });
      out.push(...hits);
    } else if (!existsSync(abs)) {
      throw new TallyError('not_found', `file not found: ${input}`, { file: input });
    } else if (statSync(abs).isDirectory()) {
      const found: string[] = [];
      walk(abs, found);
      if (found.length === 0)
        throw new TallyError('not_found', `no .csv, .csv.gz or .parquet files under ${input}`, {
          file: input,
        });
      out.push(...found);
    } else {
      if (!fileKind(abs))
        throw new TallyError('invalid_input', `${basename(abs)}: expected a .csv, .csv.gz or .parquet file`, {
          file: input,
        });
      out.push(abs);
    }
  }
  return [...new Set(out)];
}

/** SHA-256 of a file's bytes (hex), streamed. */
export async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Reads the first line of a (possibly gzipped) text file without its byte-order mark; notes a BOM on line 2. */
export async function readFirstLine(
  path: string,
  gz: boolean,
): Promise<{ first: string; bomOnData: boolean }> {
  const raw = createReadStream(path, { highWaterMark: 64 * 1024 });
  const stream = gz ? raw.pipe(createGunzip()) : raw;
  let text = '';
  try {
    for await (const chunk of stream) {
      text += (chunk as Buffer).toString('utf8');
      const nl = text.indexOf('\n');
      if ((nl >= 0 && text.length > nl + 1) || text.length > 1_000_000) break;
    }
  } catch (err) {
    throw new TallyError('invalid_input', `${basename(path)}: cannot read (${(err as Error).message})`, {
      file: path,
    });
  } finally {
    raw.destroy();
  }
  const lines = text.split(/\r?\n/);
  return { first: lines[0]!.replace(/^\uFEFF+/, ''), bomOnData: (lines[1] ?? '').startsWith('\uFEFF') };
}

/** Copies a (possibly gzipped) CSV to a temp file with byte-order marks removed from its first 1 MiB. */
export async function copyWithoutLeadingBoms(path: string, gz: boolean): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-ingest-'));
  const out = join(dir, basename(path).replace(/\.gz$/i, ''));
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const input = gz ? raw.pipe(createGunzip()) : raw;
  let first = true;
  const strip = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (!first) return done(null, chunk);
      first = false;
      const parts: Buffer[] = [];
      let at = 0;
      for (let i = chunk.indexOf(BOM); i >= 0; i = chunk.indexOf(BOM, at)) {
        parts.push(chunk.subarray(at, i));
        at = i + BOM.length;
      }
      parts.push(chunk.subarray(at));
      done(null, Buffer.concat(parts));
    },
  });
  await pipeline(input, strip, createWriteStream(out));
  tempDirs.add(dir);
  return out;
}

const tempDirs = new Set<string>();

/** Removes the temporary BOM-free copies made so far. */
export function removeTempCopies(): void {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The delimiter of a CSV header line: the most frequent of `,` `;` `\t` `|` outside quotes. */
export function sniffDelimiter(header: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t' || ch === '|'))
      counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  let max = 0;
  for (const [ch, n] of counts)
    if (n > max) {
      best = ch;
      max = n;
    }
  return best;
}

/** Splits a CSV header line into names (quotes and surrounding spaces removed, stray BOMs dropped). */
export function splitHeader(header: string, delim: string): string[] {
  const names: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const ch = header[i]!;
    if (ch === '"') {
      if (quoted && header[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === delim && !quoted) {
      names.push(cur);
      cur = '';
    } else cur += ch;
  }
  names.push(cur);
  return names.map((n) => n.replace(/\uFEFF/g, '').trim());
}
