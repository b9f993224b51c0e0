/**
 * owner: which process owns a store, and how another process talks to it safely. A running `tally serve`
 * (or `tally gateway`) writes `<db>.server.json` (mode 0600: as private as the store) with its URL, pid and a
 * random secret. A client proves it reached that process, not whatever now listens on a port named in a stale
 * file, with a challenge: it sends a fresh nonce and checks HMAC(secret, nonce, store path) before it sends
 * the secret as a bearer token.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../core/index.js';

/** What the state file beside the store says about the process that owns it. */
export interface ServerState {
  readonly url: string;
  readonly pid: number;
  readonly secret: string;
  readonly storePath: string;
  readonly startedAt: string;
}

/** The state file of a store. */
export function serverStatePath(dbPath: string): string {
  return `${dbPath}.server.json`;
}

/** Writes the state file (0600) for a store this process owns; returns the state. */
export function writeServerState(dbPath: string, url: string, secret: string): ServerState {
  const state: ServerState = {
    url,
    pid: process.pid,
    secret,
    storePath: dbPath,
    startedAt: new Date().toISOString(),
  };
  // Atomic: a CLI reading it while the server starts sees no file or the whole file, never half of one.
  writeFileAtomic(serverStatePath(dbPath), JSON.stringify(state));
  return state;
}

/** Removes the state file if it is still ours. */
export function removeServerState(dbPath: string, state: ServerState): void {
  const now = readServerState(dbPath);
  if (now && now.secret === state.secret) rmSync(serverStatePath(dbPath), { force: true });
}

/** Reads the state file; null when there is none, it is unreadable, or its process is gone. */
export function readServerState(dbPath: string): ServerState | null {
  let s: ServerState;
  try {
    s = JSON.parse(readFileSync(serverStatePath(dbPath), 'utf8')) as ServerState;
  } catch {
    return null;
  }
  if (typeof s.url !== 'string' || typeof s.secret !== 'string' || typeof s.pid !== 'number') return null;
  try {
    process.kill(s.pid, 0);
  } catch (err) {
    // ESRCH: no such process, so the file is stale. EPERM: it exists under another user; still ask it.
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return null;
  }
  return s;
}

/** The owner's answer to a nonce: HMAC-SHA256(secret, nonce + NUL + store path), base64url. */
export function identityProof(secret: string, nonce: string, storePath: string): string {
  return createHmac('sha256', secret).update(`${nonce}\0${storePath}`).digest('base64url');
}

/** The path of the identity challenge on the owner's API port. */
export const IDENTITY_PATH = '/api/v1/server/identity';

/** How long reaching an owner may take: per attempt, and in all while its process is alive. */
export interface ReachOptions {
  readonly attemptMs?: number;
  readonly totalMs?: number;
}

/**
 * Reaches the owner of a store: null when no live owner answers with the right proof (the caller then opens
 * the store itself). Sends no secret until the proof checks out. A live owner that is slow to answer (a busy
 * machine, a long report on its event loop) or not listening yet (starting up) is asked again until
 * `totalMs`: giving up early would make the caller open the store itself and fail on the owner's lock.
 */
export async function reachOwner(dbPath: string, opts: ReachOptions = {}): Promise<ServerState | null> {
  const attemptMs = opts.attemptMs ?? 5000;
  const deadline = Date.now() + (opts.totalMs ?? 30_000);
  for (;;) {
    const state = readServerState(dbPath);
    if (!state) return null;
    const answer = await askIdentity(state, attemptMs);
    if (answer !== 'unreachable') return answer;
    if (Date.now() + 100 >= deadline) return null;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One identity challenge: the state when the proof checks out, null when it does not, or 'unreachable'. */
async function askIdentity(
  state: ServerState,
  timeoutMs: number,
): Promise<ServerState | null | 'unreachable'> {
  const nonce = randomBytes(16).toString('base64url');
  let res: Response;
  try {
    res = await fetch(`${state.url}${IDENTITY_PATH}?nonce=${nonce}`, {
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    return 'unreachable'; // timed out or refused: the owner is busy or still starting
  }
  try {
    if (!res.ok) return null;
    const doc = (await res.json()) as { proof?: unknown };
    const want = Buffer.from(identityProof(state.secret, nonce, state.storePath));
    const got = Buffer.from(typeof doc.proof === 'string' ? doc.proof : '');
    return got.length === want.length && timingSafeEqual(got, want) ? state : null;
  } catch {
    return null;
  }
}
