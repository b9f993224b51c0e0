/**
 * Runs a per-series job (analytics' `series-jobs/`) over many series on several threads (ADR 0054): the main thread and
 * `threads - 1` workers take batches of consecutive series from one queue, results are put back in input order,
 * and the first failing series (in input order) raises the same error an in-process run would. A single series,
 * or a run too small to pay for a worker's start, stays in-process. Workers are terminated before this returns.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { TallyError, type ErrorCode } from '../../core/index.js';
import {
  JOBS,
  hasSeriesIds,
  seriesWorkerEntry,
  type JobName,
  type Series,
  type SeriesJobs,
  type WorkerFailure,
} from '../../analytics/index.js';

/** Threads by default: the machine's, at most this many (each worker holds its own heap). */
export const MAX_DEFAULT_THREADS = 4;
/** Fewer points than this in a run stay in-process: a worker's start costs about what forecasting them does. */
export const MIN_POOL_POINTS = 20_000;
/** Batches per thread: small enough to even out series of unequal cost, large enough to keep messages few. */
const BATCHES_PER_THREAD = 8;
/** Batches a worker holds at once, so it never waits for the main thread to hand it the next. */
const IN_FLIGHT = 2;

/** The default thread count: the available parallelism, capped. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(MAX_DEFAULT_THREADS, availableParallelism()));
}

/** The job's result for each series, in input order, computed on up to `threads` threads. */
export async function runSeriesJobs<K extends JobName>(
  job: K,
  series: readonly Series[],
  options: SeriesJobs[K]['options'],
  threads: number,
  early: readonly Worker[] = [],
): Promise<SeriesJobs[K]['result'][]> {
  type R = SeriesJobs[K]['result'];
  const run = JOBS[job] as (s: Series, o: SeriesJobs[K]['options']) => R;
  let points = 0;
  for (const s of series) points += s.values.length;
  if (threads <= 1 || series.length < 2 || points < MIN_POOL_POINTS) {
    await Promise.all(early.map((w) => w.terminate()));
    return series.map((s) => run(s, options));
  }
  const size = Math.max(1, Math.ceil(series.length / (threads * BATCHES_PER_THREAD)));
  const batches: Series[][] = [];
  for (let i = 0; i < series.length; i += size) batches.push(series.slice(i, i + size));
  const results: R[][] = new Array<R[]>(batches.length);
  // The lowest failed batch so far: batches after it cannot change the outcome and are not started.
  let failedAt = Infinity;
  let failure: unknown;
  const fail = (batch: number, err: unknown) => {
    if (batch < failedAt) [failedAt, failure] = [batch, err];
  };
  let next = 0;
  const take = () => (next < batches.length && next < failedAt ? next++ : -1);

  const wanted = Math.min(threads - 1, batches.length - 1);
  const workers = [...early];
  while (workers.length < wanted) workers.push(startWorker(job, options));
  const feed = (w: Worker) =>
    new Promise<void>((done) => {
      const held = new Set<number>();
      const send = () => {
        while (held.size < IN_FLIGHT) {
          const i = take();
          if (i < 0) break;
          held.add(i);
          w.postMessage({ batch: i, series: batches[i] });
        }
        if (held.size === 0) done();
      };
      w.on('message', (m: { batch: number; results?: R[]; error?: WorkerFailure }) => {
        held.delete(m.batch);
        if (m.error) fail(m.batch, revive(m.error));
        else results[m.batch] = m.results!;
        send();
      });
      // A worker that dies (out of memory, a crash) fails the batches it held.
      const lost = (why: string) => {
        for (const i of held) fail(i, new TallyError('internal', `a ${job} worker failed: ${why}`));
        held.clear();
        done();
      };
      w.once('error', (e) => lost(e.message));
      w.once('exit', (code) => lost(`it exited with code ${code}`));
      send();
    });
  // The main thread takes batches too, yielding between them so the workers' messages are answered.
  const own = async () => {
    for (let i = take(); i >= 0; i = take()) {
      try {
        results[i] = batches[i]!.map((s) => run(s, options));
      } catch (err) {
        fail(i, err);
      }
      await new Promise<void>((resume) => setImmediate(resume));
    }
  };
  try {
    await Promise.all([own(), ...workers.map(feed)]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failedAt !== Infinity) throw failure;
  return results.flat();
}

/**
 * The job's results for the series a file's text holds (`read` parses it). A large file with a series id column
 * starts its workers before it is parsed, so their start (loading the analytics code) overlaps the parse.
 */
export async function runSeriesFile<K extends JobName>(
  job: K,
  text: string,
  read: (text: string) => readonly Series[],
  options: SeriesJobs[K]['options'],
  threads: number,
): Promise<SeriesJobs[K]['result'][]> {
  const firstLine = text.slice(0, Math.max(0, text.indexOf('\n')));
  const many = threads > 1 && text.length >= EARLY_BYTES && hasSeriesIds(firstLine.split(','));
  const early = many ? Array.from({ length: threads - 1 }, () => startWorker(job, options)) : [];
  let series: readonly Series[];
  try {
    series = read(text);
  } catch (err) {
    await Promise.all(early.map((w) => w.terminate()));
    throw err;
  }
  return runSeriesJobs(job, series, options, threads, early);
}

/** A file at least this long (about MIN_POOL_POINTS rows of 20 bytes) starts its workers before it is parsed. */
const EARLY_BYTES = MIN_POOL_POINTS * 20;

/** A worker for `job`: the built .js entry, or under tsx (tests, development) the .ts entry through tsx's API. */
function startWorker(job: JobName, options: unknown): Worker {
  const entry = seriesWorkerEntry();
  const workerData = { job, options };
  return entry.pathname.endsWith('.ts')
    ? new Worker(
        `import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`,
        { eval: true, workerData },
      )
    : new Worker(entry, { workerData });
}

/** The worker's error as the main thread raises it: a TallyError keeps its code and details. */
function revive(f: WorkerFailure): Error {
  if (f.code !== undefined) return new TallyError(f.code as ErrorCode, f.message, f.details as never);
  const err = new Error(f.message);
  err.name = f.name;
  return err;
}
