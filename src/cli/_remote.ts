/**
 * Running a command on the store's owner. While `tally serve` (or `tally gateway`) holds the store, the CLI
 * sends its arguments to the owner, which runs the same command on its own store handle and returns the
 * output and exit code; the user sees exactly what a local run prints.
 */
import { isAbsolute, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { reachOwner } from '../owner/index.js';
import type { Sink } from './output.js';

/** Options whose values are paths: made absolute here, since the owner runs in another working directory. */
const PATH_OPTIONS = new Set(['out', 'kpi', 'scenario', 'series', 'file', 'price-sheet', 'dir', 'config']);

/**
 * Makes path arguments absolute (positionals that name an existing file, and path options). The command's own
 * words (`alerts test`) are kept as written even when a file of that name exists in cwd (a `test/` folder).
 */
export function absolutePaths(argv: readonly string[], cwd: string, command = ''): string[] {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const words = command.split(' ').filter((w) => w !== '');
  let word = 0;
  return argv.map((a, i) => {
    if (word < words.length && a === words[word]) {
      word++;
      return a;
    }
    const prev = /^--([^=]+)$/.exec(argv[i - 1] ?? '');
    if (prev && PATH_OPTIONS.has(prev[1]!)) return abs(a); // the value of `--out FILE`
    const inline = /^--([^=]+)=(.*)$/.exec(a);
    if (inline) return PATH_OPTIONS.has(inline[1]!) ? `--${inline[1]!}=${abs(inline[2]!)}` : a;
    return !a.startsWith('-') && existsSync(resolve(cwd, a)) ? abs(a) : a;
  });
}

/** Runs argv on the owner of dbPath; null when no owner answers (run locally then). */
export async function forwardToServer(
  dbPath: string,
  argv: readonly string[],
  io: { stdout: Sink; stderr: Sink },
  command = '',
): Promise<number | null> {
  const owner = await reachOwner(dbPath);
  if (!owner) return null;
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry: keep "unknown"
  }
  const res = await fetch(`${owner.url}/api/v1/cli`, {
    method: 'POST',
    headers: { authorization: `Bearer ${owner.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ argv: absolutePaths(argv, process.cwd(), command), user }),
    redirect: 'error',
  });
  const doc = (await res.json().catch(() => null)) as {
    code?: number;
    stdout?: string;
    stderr?: string;
  } | null;
  if (!res.ok || !doc || typeof doc.code !== 'number') {
    io.stderr.write(`error: the server at ${owner.url} could not run the command (HTTP ${res.status})\n`);
    return 69;
  }
  if (doc.stdout) io.stdout.write(doc.stdout);
  if (doc.stderr) io.stderr.write(doc.stderr);
  return doc.code;
}
