/**
 * Several gateway replicas on one host writing one shared store (PostgreSQL) must not share a WAL directory:
 * each claims its own `replica-N` folder under the store's ledger directory, held by a pid file. A folder whose
 * owner died (kill -9, a crash) is claimed again by the next replica that starts, which replays its WAL first:
 * nothing a dead replica acknowledged is left behind, and the store's idempotent event ids make the replay safe.
 */
import {
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import { TallyError } from '../core/index.js';

/** A claimed WAL directory; `release` frees it at clean shutdown. */
export interface ClaimedDir {
  readonly dir: string;
  release(): void;
}

// The claim itself is serialised by a mkdir lock; one older than this is left by a process that died mid-claim.
const STALE_CLAIM_MS = 10_000;

const alive = (pid: number): boolean => {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Claims the first `replica-N` folder under `base` that no live process holds. */
export async function claimReplicaDir(base: string, pid = process.pid): Promise<ClaimedDir> {
  mkdirSync(base, { recursive: true });
  const mutex = join(base, '.claiming');
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      mkdirSync(mutex);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(mutex).mtimeMs > STALE_CLAIM_MS)
          rmSync(mutex, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
      if (Date.now() > until) throw new TallyError('unavailable', `cannot claim a WAL directory in ${base}`);
      await new Promise((ok) => setTimeout(ok, 20));
    }
  }
  try {
    for (let i = 0; ; i++) {
      const dir = join(base, `replica-${i}`);
      mkdirSync(dir, { recursive: true });
      const lock = join(dir, 'owner.pid');
      let owner = 0;
      try {
        owner = Number(readFileSync(lock, 'utf8'));
      } catch {
        // no owner
      }
      if (owner && owner !== pid && alive(owner)) continue;
      const fd = openSync(lock, 'w', 0o600);
      writeSync(fd, String(pid));
      closeSync(fd);
      return {
        dir,
        release() {
          try {
            if (Number(readFileSync(lock, 'utf8')) === pid) unlinkSync(lock);
          } catch {
            // already gone
          }
        },
      };
    }
  } finally {
    rmSync(mutex, { recursive: true, force: true });
  }
}
