import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TallyError } from '../../core/index.js';
import type { Series } from '../../analytics/index.js';
import { MIN_POOL_POINTS, runSeriesJobs } from './_series-pool.js';

const HOUR = 3_600_000;

/** `count` hourly series of `n` points: a daily cycle, a weekend dip, a trend, deterministic noise, a spike. */
function hourly(count: number, n: number): Series[] {
  let seed = 7;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  return Array.from({ length: count }, (_, s) => {
    const timestamps = Array.from({ length: n }, (_, i) => Date.UTC(2026, 0, 5) + i * HOUR);
    const values = timestamps.map((t, i) => {
      const hod = (t / HOUR) % 24;
      const weekend = Math.floor(t / (24 * HOUR) + 4) % 7 >= 5 ? 0.7 : 1;
      const spike = i === Math.floor(n * 0.8) + s ? 6 : 1;
      return (
        (50 + s * 7) *
        (1 + 0.4 * Math.sin((2 * Math.PI * hod) / 24)) *
        weekend *
        (1 + i / 5000) *
        (1 + noise()) *
        spike
      );
    });
    return { id: `s${s}`, timestamps, values, stepMs: HOUR, timeStyle: { kind: 'date' as const } };
  });
}

const options = { horizon: 24, holidays: [], linear: false };

/** Workers alive in this process right now (a worker that outlived its run would show here). */
const liveWorkers = () =>
  process.getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker').length;

test('a many-series forecast on workers prints exactly the JSON of the same run in-process', async () => {
  const series = hourly(14, 1500);
  assert.ok(series.length * 1500 >= MIN_POOL_POINTS, 'the run is large enough to use workers');
  const before = liveWorkers();
  const inProcess = await runSeriesJobs('forecast', series, options, 1);
  const pooled = await runSeriesJobs('forecast', series, options, 3);
  assert.equal(JSON.stringify(pooled), JSON.stringify(inProcess));
  assert.deepEqual(
    pooled.map((s) => s.id),
    series.map((s) => s.id),
  );
  assert.equal(liveWorkers(), before, 'no worker outlives the run');
});

test('a many-series anomaly scan on workers gives the same alarms in the same order as in-process', async () => {
  const series = hourly(12, 2000);
  const inProcess = await runSeriesJobs('anomalies', series, {}, 1);
  const pooled = await runSeriesJobs('anomalies', series, {}, 2);
  assert.ok(inProcess.flat().length > 0, 'the spikes are found');
  assert.equal(JSON.stringify(pooled), JSON.stringify(inProcess));
});

test('a series that fails in a worker raises the error the in-process run raises, for the first failing series', async () => {
  const series = hourly(14, 1500);
  // Two series the CSV reader never yields, failing with different messages: the earlier one's error wins.
  const broken = series.map((s, i) =>
    i === 9 ? { ...s, timestamps: null as never } : i === 12 ? { ...s, stepMs: 0 } : s,
  );
  const before = liveWorkers();
  const caught = async (threads: number) => {
    try {
      await runSeriesJobs('forecast', broken, options, threads);
    } catch (err) {
      return err as Error;
    }
    assert.fail('the run should fail');
  };
  const inProcess = await caught(1);
  const pooled = await caught(3);
  assert.equal(pooled.name, inProcess.name);
  assert.equal(pooled.message, inProcess.message);
  assert.equal(pooled instanceof TallyError, inProcess instanceof TallyError);
  assert.match(inProcess.message, /map/, 'the first failing series (index 9) decides the error');
  assert.equal(liveWorkers(), before, 'no worker outlives a failed run');
});
