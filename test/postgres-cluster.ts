/**
 * A throwaway PostgreSQL cluster for tests: initdb in a temporary directory (as the `postgres` user when the
 * tests run as root, since initdb refuses root), `pg_ctl start` on a free local port with its unix socket in
 * that directory, stopped and removed afterwards. One cluster per test file; `database()` hands each test a
 * fresh, empty database in it.
 *
 * Where the binaries come from: TALLY_PG_BIN, else the newest /usr/lib/postgresql/N/bin (Debian), else PATH.
 * Tests skip only when no binaries are found and CI is not set: in CI a missing PostgreSQL fails them.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../src/gateway/testing/ports.js';

/** The directory holding initdb and pg_ctl, or null when PostgreSQL is not installed. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const given = env['TALLY_PG_BIN'];
  if (given) return existsSync(join(given, 'initdb')) ? given : null;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], 'bin');
  }
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const found = onPath.status === 0 ? onPath.stdout.trim() : '';
  return found ? join(found, '..') : null;
}

/** `skip` option for tests that need PostgreSQL: a reason when absent outside CI, false otherwise. */
export const skipWithoutPostgres: string | false =
  postgresBinDir() === null && !process.env['CI']
    ? 'PostgreSQL binaries not found (set TALLY_PG_BIN)'
    : false;

/** A running throwaway cluster. */
export interface PgCluster {
  /** URL of the `postgres` database (superuser `postgres`, trust authentication on 127.0.0.1). */
  readonly url: string;
  readonly port: number;
  /** Creates a fresh database and returns its URL. */
  database(): Promise<string>;
  /** Stops the cluster and removes its directory. */
  stop(): Promise<void>;
}

/** Runs a PostgreSQL tool, as `postgres` when we are root. */
function tool(bin: string, name: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const cmd = asRoot ? 'runuser' : join(bin, name);
  const argv = asRoot ? ['-u', 'postgres', '--', join(bin, name), ...args] : args;
  const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: tmpdir() });
  if (r.status !== 0)
    throw new Error(`${name} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout || String(r.error)}`);
}

let counter = 0;

/** Starts a cluster; throws when PostgreSQL is missing (check `skipWithoutPostgres` first). */
export async function startPostgres(): Promise<PgCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL binaries not found: install postgresql or set TALLY_PG_BIN');
  const dir = mkdtempSync(join(tmpdir(), 'tally-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(id.stdout.trim()), Number(gid.stdout.trim()));
  }
  tool(bin, 'initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  let port = 0;
  // A port picked free may be taken before postgres binds it (other engineers' tests run too): retry.
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    const opts = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses='127.0.0.1'",
      // A test cluster: durability off makes initdb-to-ready and every commit fast.
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    try {
      tool(bin, 'pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', opts, 'start']);
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    try {
      tool(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already down
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);
  return {
    url,
    port,
    async database() {
      const name = `t${process.pid}_${++counter}`;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      stopSync();
      process.removeListener('exit', stopSync);
    },
  };
}
