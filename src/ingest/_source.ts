/**
 * Source files: expand paths/folders/globs, hash a file (streamed), and read a staged CSV's header line
 * without reading the whole file.
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
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

/**
 * Expands files, folders (recursively) and globs (`*`, `**`, `?`) into readable files, sorted, without repeats.
 * A path that names an existing file or folder is taken literally even when it holds `*` or `?` (as a shell
 * passes a quoted name): `a*.csv` is that one file, never also `ab.csv`.
 */
export function expandPaths(inputs: readonly string[], cwd = process.cwd()): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    const abs = resolve(cwd, input);
    if (/[*?]/.test(input) && !existsSync(abs)) {
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

/** Reads the first line of a staged (UTF-8, uncompressed) CSV without its byte-order mark. */
export async function readFirstLine(path: string): Promise<{ first: string }> {
  const raw = createReadStream(path, { highWaterMark: 64 * 1024 });
  const stream = raw;
  let text = '';
  try {
    for await (const chunk of stream) {
      text += (chunk as Buffer).toString('utf8');
      const nl = text.search(/[\r\n]/);
      if ((nl >= 0 && text.length > nl + 1) || text.length > 1_000_000) break;
    }
  } catch (err) {
    throw new TallyError('invalid_input', `${basename(path)}: cannot read (${(err as Error).message})`, {
      file: path,
    });
  } finally {
    raw.destroy();
  }
  const lines = text.split(/\r\n|\r|\n/);
  return { first: lines[0]!.replace(/^\uFEFF+/, '') };
}

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
