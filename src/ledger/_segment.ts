/**
 * WAL segment files written in place over pre-zeroed space.
 *
 * Appending to a file changes its size, so every fdatasync of an append also commits the filesystem journal
 * (on ext4, behind whatever else the journal holds, such as the store's own writes). Overwriting blocks that
 * are already allocated and on disk changes no metadata, so fdatasync only writes the data and flushes the
 * device cache. The writer therefore keeps one spare segment, zero-filled and synced in the background, and
 * renames it into place at each rotation; a segment that outgrows its space just keeps growing by appends.
 *
 * A closed segment is truncated to the bytes written, so its readers never see the zeros. A crash leaves the
 * current segment with a zero tail; `cutAtFirstNul` cuts it before the segment is replayed.
 */
import { openSync, closeSync, fstatSync, readSync, ftruncateSync, readdirSync, unlinkSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

const SPARE_RE = /^wal-spare-\d+\.zero$/;
const CHUNK = 1 << 20;
/** Smallest and largest spare segment, bytes. */
export const SPARE_MIN = 256 << 10;
export const SPARE_MAX = 16 << 20;

/** One open segment: writes go at `size`, the file may be longer (zeros). */
export class Segment {
  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    /** Bytes written. */
    public size: number,
  ) {}

  /** Opens `path` for writing: the spare renamed into place when one is given, a new empty file otherwise. */
  static async create(path: string, spare: string | null): Promise<Segment> {
    if (spare) {
      try {
        await rename(spare, path);
        return new Segment(await open(path, 'r+'), path, 0);
      } catch {
        // A spare that vanished or cannot be opened: fall back to an empty file.
      }
    }
    return new Segment(await open(path, 'w'), path, 0);
  }

  /** Writes `buf` after the bytes already written. Writes must not overlap: the caller runs them in order. */
  async write(buf: Buffer): Promise<void> {
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, off, buf.length - off, this.size + off);
      off += bytesWritten;
    }
    this.size += buf.length;
  }

  datasync(): Promise<void> {
    return this.fh.datasync();
  }

  /** Cuts the zeros after the written bytes and closes the file. */
  async close(): Promise<void> {
    try {
      await this.fh.truncate(this.size);
    } finally {
      await this.fh.close();
    }
  }
}

/** Makes zero-filled, synced spare segments in a directory, one at a time, off the write path. */
export class SpareMaker {
  private ready: string | null = null;
  private making: Promise<void> | null = null;
  private n = 0;
  private closed = false;

  constructor(private readonly dir: string) {}

  /** Deletes spares a previous process left (they hold no data). */
  static clean(dir: string): void {
    for (const name of readdirSync(dir))
      if (SPARE_RE.test(name))
        try {
          unlinkSync(join(dir, name));
        } catch {
          // Already gone.
        }
  }

  /** Takes the ready spare, if any (the caller renames it into place), and starts making the next one. */
  take(nextSize: number): string | null {
    const s = this.ready;
    this.ready = null;
    this.start(nextSize);
    return s;
  }

  /** Starts making a spare of about `size` bytes unless one is ready or being made. */
  start(size: number): void {
    if (this.closed || this.ready || this.making) return;
    const bytes = Math.min(SPARE_MAX, Math.max(SPARE_MIN, Math.ceil(size / (64 << 10)) * (64 << 10)));
    const path = join(this.dir, `wal-spare-${process.pid}${String(++this.n).padStart(6, '0')}.zero`);
    this.making = makeZeroFile(path, bytes)
      .then(async () => {
        if (this.closed) await unlink(path).catch(() => undefined);
        else this.ready = path;
      })
      .catch(() => unlink(path).catch(() => undefined))
      .finally(() => {
        this.making = null;
      });
  }

  /** Stops making spares and deletes the ready one. */
  async close(): Promise<void> {
    this.closed = true;
    await this.making;
    if (this.ready) await unlink(this.ready).catch(() => undefined);
    this.ready = null;
  }
}

async function makeZeroFile(path: string, bytes: number): Promise<void> {
  const fh = await open(path, 'w');
  try {
    const zeros = Buffer.alloc(Math.min(CHUNK, bytes));
    for (let off = 0; off < bytes; off += zeros.length)
      await fh.write(zeros, 0, Math.min(zeros.length, bytes - off), off);
    // Synced before use, so blocks are allocated and written: later overwrites change no metadata.
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Cuts a crashed segment at its first NUL byte, so it reads like one that was closed; returns the new size.
 * Everything acknowledged was synced before anything after it was written, and JSON text holds no NUL byte, so
 * the acknowledged lines all lie before the first NUL: the zero tail and anything the crash left beyond a gap
 * (pages written out of order, never acknowledged) go; a torn last line is kept for the reader to skip.
 */
export function cutAtFirstNul(path: string): number {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(CHUNK);
    let end = size;
    for (let pos = 0; pos < size;) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
      if (n <= 0) break;
      const i = buf.subarray(0, n).indexOf(0);
      if (i >= 0) {
        end = pos + i;
        break;
      }
      pos += n;
    }
    if (end < size) ftruncateSync(fd, end);
    return end;
  } finally {
    closeSync(fd);
  }
}
