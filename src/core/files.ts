/** Files other processes read while this one may be writing them. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes `text` to `path` (created with `mode`) so that a reader sees the old file or the whole new one, never a
 * half-written one: the text goes to a temporary file beside it, which is renamed over the path.
 */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
