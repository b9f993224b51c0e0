/** Per-series jobs for the CLI's many-series runs, in-process or on worker threads (ADR 0054). */
export { JOBS, anomalyJob, forecastJob, seriesWorkerEntry } from './_jobs.js';
export type { AnomalyJobOptions, ForecastJobOptions, JobName, SeriesJobs, WorkerFailure } from './_jobs.js';
