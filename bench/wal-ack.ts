/**
 * `node --import tsx bench/wal-ack.ts [--rate R] [--seconds S] [--dir D] [--root CHECKOUT] [--writes loop|pool]`: how long an event
 * waits to be durable in the WAL alone (no HTTP, no store), at a smooth rate with a rotation every second, as
 * the ledger runs under the gateway. Prints the append→durable latency percentiles, how long each rotation
 * held appends back, and CPU per event. --root measures another checkout's writer (for before/after pairs).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const { values: opt } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '5' },
    dir: { type: 'string', default: tmpdir() },
    root: { type: 'string', default: resolve(import.meta.dirname, '..') },
    // Where durable writes run (ADR 0042, session 9); omitted: the writer's default.
    writes: { type: 'string' },
  },
});
interface Writer {
  appendBatch(l: string, i: readonly number[]): Promise<void>;
  rotate(): Promise<unknown>;
  close(): Promise<void>;
}
const rate = Number(opt.rate);
const total = Math.round(rate * Number(opt.seconds));
const line = JSON.stringify({ id: 'x'.repeat(36), startTime: Date.now(), pad: 'y'.repeat(600) });

async function main(): Promise<void> {
  const dir = mkdtempSync(join(opt.dir!, 'wal-ack-'));
  // Before ADR 0037 the writer lived in _wal.ts.
  const file = ['_wal-writer.ts', '_wal.ts']
    .map((f) => join(resolve(opt.root!), 'src/ledger', f))
    .find((f) => existsSync(f) && readFileSync(f, 'utf8').includes('class WalWriter'))!;
  const mod = (await import(pathToFileURL(file).href)) as {
    WalWriter: { open(d: string, o: object): Promise<Writer> };
  };
  const w = await mod.WalWriter.open(dir, {
    keepItems: false,
    ...(opt.writes ? { writes: opt.writes } : {}),
  });
  const lat: number[] = [];
  const rotations: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const rot = setInterval(() => {
    const s = performance.now();
    void w.rotate().then(() => rotations.push(performance.now() - s));
  }, 1000);
  await new Promise<void>((done) => {
    let sent = 0;
    let acked = 0;
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
      while (sent < due) {
        const s = performance.now();
        sent++;
        void w.appendBatch(line, [sent]).then(() => {
          lat.push(performance.now() - s);
          if (++acked === total) done();
        });
      }
      if (sent < total) setTimeout(tick, Math.max(0, t0 + (sent * 1000) / rate - performance.now()));
    };
    tick();
  });
  clearInterval(rot);
  const cpu = process.cpuUsage(cpu0);
  await w.close();
  rmSync(dir, { recursive: true, force: true });
  lat.sort((a, b) => a - b);
  const p = (q: number): number => +lat[Math.min(lat.length - 1, Math.ceil(q * lat.length) - 1)]!.toFixed(2);
  console.log(
    JSON.stringify({
      root: opt.root,
      events: lat.length,
      p50: p(0.5),
      p90: p(0.9),
      p99: p(0.99),
      max: p(1),
      rotationMs: rotations.map((r) => +r.toFixed(1)),
      cpuUsPerEvent: Math.round((cpu.user + cpu.system) / lat.length),
      load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    }),
  );
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
