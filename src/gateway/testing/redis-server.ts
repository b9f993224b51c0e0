/**
 * A real `redis-server` for tests, on a unix socket (or a free TCP port) in a temp directory, that a test can
 * stop and start again at the same address to play an outage. Nothing is persisted: a restart comes back empty,
 * as a cache without persistence does.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/** True when `redis-server` is on PATH. */
export const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** A redis-server under test control. */
export interface TestRedis {
  /** `unix:///…/redis.sock`, or `redis://127.0.0.1:PORT` with `tcp`. */
  readonly url: string;
  /** Stops the server (SIGKILL: clients see the connection drop, as on a crash). */
  stop(): Promise<void>;
  /** Starts it again at the same address, empty. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

/** Starts a redis-server; `password` turns AUTH on (requirepass), `tcp` listens on a free local port. */
export async function startTestRedis(opts: { password?: string; tcp?: boolean } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-redis-'));
  const sock = join(dir, 'redis.sock');
  const port = opts.tcp ? await freePort() : 0;
  const args = ['--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir];
  if (opts.tcp) args.push('--bind', '127.0.0.1');
  else args.push('--unixsocket', sock);
  if (opts.password) args.push('--requirepass', opts.password);
  let proc: ChildProcess | null = null;
  const up = async () => {
    proc = spawn('redis-server', args, { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (opts.tcp ? await accepts(port) : existsSync(sock)) return;
      await new Promise((ok) => setTimeout(ok, 25));
    }
    throw new Error('redis-server did not start');
  };
  const down = async () => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((ok) => {
      p.once('exit', () => ok());
      p.kill('SIGKILL');
    });
    rmSync(sock, { force: true });
  };
  await up();
  return {
    url: opts.tcp ? `redis://127.0.0.1:${port}` : `unix://${sock}`,
    stop: down,
    start: up,
    async close() {
      await down();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      ok(true);
    });
    s.once('error', () => ok(false));
  });
}
