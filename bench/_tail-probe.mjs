// Loaded into a gateway with `node --import`: records, on the wall clock shared with the load generator, every
// ledger flush (the `tally:ledger:flush` channel), GC pause, event-loop stall over 4 ms (a 1 ms timer firing
// late) and durable WAL write (issue to completion, as the waiting requests see it), and writes them as JSON to
// TALLY_TAIL_PROBE_OUT on SIGUSR2. Used by bench/gateway-tail.ts; it costs a few µs per request itself.
import dc from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { PerformanceObserver } from 'node:perf_hooks';

const out = [];
const now = () => performance.timeOrigin + performance.now();
dc.subscribe('tally:ledger:flush', (m) => out.push(['flush', m.phase, now(), 0]));
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) out.push(['gc', 0, performance.timeOrigin + e.startTime, e.duration]);
}).observe({ type: 'gc' });
let last = performance.now();
setInterval(() => {
  const t = performance.now();
  if (t - last > 4) out.push(['stall', 0, performance.timeOrigin + last, t - last]);
  last = t;
}, 1).unref();
// The WAL's pool writes go through FileHandle.write with a buffer of JSON lines ('{').
const fh = await open('/dev/null');
const proto = Object.getPrototypeOf(fh);
await fh.close();
const write = proto.write;
proto.write = function (buf, ...rest) {
  const t = now();
  const p = write.call(this, buf, ...rest);
  if (Buffer.isBuffer(buf) && buf[0] === 0x7b) p.then(() => out.push(['wal', buf.length, t, now() - t]), () => {});
  return p;
};
process.on('SIGUSR2', () => writeFileSync(process.env.TALLY_TAIL_PROBE_OUT, JSON.stringify(out)));
