/**
 * A worker of the CLI's series pool (cli/commands/_series-pool.ts, ADR 0054): runs one job (forecast or anomalies,
 * fixed by its workerData) over each batch of series the main thread posts, and posts back the batch's results in
 * order, or the batch's first error with what the main thread needs to raise the same error as an in-process run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TallyError } from '../../core/index.js';
import type { Series } from '../_series/index.js';
import { JOBS, type JobName, type WorkerFailure } from './_jobs.js';

const { job, options } = workerData as { job: JobName; options: never };
const run = JOBS[job] as (s: Series, o: unknown) => unknown;
const port = parentPort!;

port.on('message', (m: { batch: number; series: Series[] }) => {
  const results: unknown[] = [];
  try {
    for (const s of m.series) results.push(run(s, options));
  } catch (err) {
    port.postMessage({ batch: m.batch, error: failure(err) });
    return;
  }
  port.postMessage({ batch: m.batch, results });
});

function failure(err: unknown): WorkerFailure {
  if (err instanceof TallyError)
    return { name: err.name, message: err.message, code: err.code, details: err.details };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}
