/** Test helper: runs the real CLI (TypeScript source via tsx) in a child process and captures its output. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'src/cli/main.ts');
// Resolved here, not by the child, so a test may run the CLI from any working directory.
const TSX = import.meta.resolve('tsx');

/** What a CLI run produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws if it is not one JSON document). */
  json<T = unknown>(): T;
}

/** Runs `tally ...args` and resolves when it exits. */
export function runCli(
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, json: <T>() => JSON.parse(stdout) as T });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Absolute path of the repository root. */
export const REPO_ROOT = ROOT;
/** Path of ../shared beside the checkout (reference data); tests that read it skip when it is absent. */
export const SHARED_DIR = join(ROOT, '..', 'shared');
