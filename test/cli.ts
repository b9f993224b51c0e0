/** Test helper: runs the real CLI (TypeScript source via tsx) in a child process and captures its output. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
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

/** `tally keys create --config C --db D --team T --app A [flags] --json` (the contract); fails on a non-zero exit. */
export async function createKeyCli(
  configPath: string,
  dbPath: string,
  team: string,
  app: string,
  ...flags: string[]
): Promise<{ id: string; key: string }> {
  const r = await runCli([
    'keys',
    'create',
    '--config',
    configPath,
    '--db',
    dbPath,
    '--team',
    team,
    '--app',
    app,
    ...flags,
    '--json',
  ]);
  if (r.code !== 0) throw new Error(`tally keys create exited ${r.code}: ${r.stderr}`);
  return r.json<{ id: string; key: string }>();
}

/** Absolute path of the repository root. */
export const REPO_ROOT = ROOT;
/** Path of ../shared beside the checkout (reference data); tests that read it skip when it is absent. */
export const SHARED_DIR = join(ROOT, '..', 'shared');

/** A `tally gateway` started through the real CLI in a child process. */
export interface CliGateway {
  readonly url: string;
  /** What the gateway printed on stderr so far. */
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code once it has drained and exited. */
  stop(): Promise<number | null>;
  /** Kills it without draining (for cleanup after a failed test). */
  kill(): void;
}

/**
 * Starts a long-running `tally` command in a child process and waits until the URL its state file names
 * answers `/healthz` with 200 (up to `tries` x 100 ms).
 */
async function startLongRunning(
  args: readonly string[],
  statePath: string,
  what: string,
  tries: number,
): Promise<CliServer> {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const proc: CliServer = {
    url: '',
    pid: child.pid ?? -1,
    stderr: () => err,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
  // Whatever goes wrong while waiting, the child is killed: a server left running would hold the test run open.
  try {
    for (let i = 0; i < tries && child.exitCode === null; i++) {
      const url = existsSync(statePath) ? stateUrl(statePath) : null;
      if (url) {
        const r = await fetch(`${url}/healthz`).catch(() => null);
        if (r?.status === 200) return { ...proc, url };
      }
      await new Promise((ok) => setTimeout(ok, 100));
    }
  } catch (e) {
    proc.kill();
    throw e;
  }
  proc.kill();
  throw new Error(`${what} did not become healthy: ${err}`);
}

/** The URL a state file names; null while it cannot be read (a server from before atomic writes, mid-write). */
function stateUrl(path: string): string | null {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { url?: string }).url ?? null;
  } catch {
    return null;
  }
}

/** Starts `tally gateway --config C --db D --port 0` and waits until `/healthz` answers 200. */
export function startGatewayCli(configPath: string, dbPath: string): Promise<CliGateway> {
  const args = ['gateway', '--config', configPath, '--db', dbPath, '--port', '0'];
  return startLongRunning(args, `${dbPath}.gateway.json`, 'gateway', 600);
}

/** A `tally serve` started through the real CLI in a child process. */
export interface CliServer extends CliGateway {
  readonly pid: number;
}

/** Starts `tally serve --db D --port 0 [args]` and waits until its `/healthz` answers 200. */
export function startServeCli(dbPath: string, ...args: string[]): Promise<CliServer> {
  return startLongRunning(
    ['serve', '--db', dbPath, '--port', '0', ...args],
    `${dbPath}.server.json`,
    'tally serve',
    900,
  );
}
