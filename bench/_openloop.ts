/**
 * An open-loop load generator for latency at a fixed rate: requests are due at evenly spaced times
 * (t0 + i/rate) over keep-alive HTTP/1.1 connections, and each latency is measured from when the request was
 * due, not from when a connection was free, so a stalled server cannot hide its stall (no coordinated
 * omission). Run as its own process so its event loop is not the measured one:
 *
 *   node --import tsx bench/_openloop.ts <url> <rate> <seconds> <bodyFile> [header: value]...
 *
 * Responses may use content-length or chunked encoding.
 * Prints one JSON line: {sent, ok, errors, p50, p90, p99, p999, max} (milliseconds).
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

const [urlArg, rateArg, secondsArg, bodyFile, ...headerArgs] = process.argv.slice(2);
const url = new URL(urlArg!);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const body = readFileSync(bodyFile!);
const head =
  `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-length: ${body.length}\r\n` +
  headerArgs.map((h) => `${h}\r\n`).join('') +
  '\r\n';
const request = Buffer.concat([Buffer.from(head), body]);

interface Conn {
  socket: Socket;
  busy: boolean;
  due: number;
  buf: Buffer;
}
const latencies: number[] = [];
let errors = 0;
let sent = 0;
const queue: number[] = []; // due times (ms) waiting for a free connection
const idle: Conn[] = [];

/** Parses complete responses off a connection's buffer; returns false on a protocol error. */
function onData(c: Conn, chunk: Buffer): void {
  c.buf = c.buf.length ? Buffer.concat([c.buf, chunk]) : chunk;
  for (;;) {
    const end = c.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const headers = c.buf.subarray(0, end).toString('latin1');
    let bodyEnd: number;
    const len = /\r\ncontent-length:\s*(\d+)/i.exec(headers)?.[1];
    if (len !== undefined) bodyEnd = end + 4 + Number(len);
    else if (/\r\ntransfer-encoding:\s*chunked/i.test(headers)) {
      // The last chunk: "0" CRLF CRLF, right after the previous chunk's CRLF (no trailers expected here).
      const last = c.buf.indexOf('\r\n0\r\n\r\n', end + 2);
      if (last < 0) return;
      bodyEnd = last + 7;
    } else {
      errors++;
      c.socket.destroy();
      return;
    }
    if (c.buf.length < bodyEnd) return;
    const status = Number(headers.slice(9, 12));
    if (status === 200) latencies.push(performance.now() - c.due);
    else errors++;
    c.buf = c.buf.subarray(bodyEnd);
    c.busy = false;
    next(c);
  }
}

function next(c: Conn): void {
  const due = queue.shift();
  if (due === undefined) {
    idle.push(c);
    return;
  }
  c.busy = true;
  c.due = due;
  sent++;
  c.socket.write(request);
}

function open(): Promise<Conn> {
  return new Promise((ok, fail) => {
    const socket = connect(Number(url.port), url.hostname, () => ok(c));
    const c: Conn = { socket, busy: false, due: 0, buf: Buffer.alloc(0) };
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => onData(c, d));
    socket.once('error', fail);
  });
}

// Enough connections that a free one is there when a request is due, as many independent clients would be.
const conns = await Promise.all(Array.from({ length: Math.max(4, Math.ceil(rate / 100)) }, open));
idle.push(...conns);
const t0 = performance.now();
const total = Math.round(rate * seconds);
let issued = 0;
await new Promise<void>((done) => {
  const tick = setInterval(() => {
    const now = performance.now();
    while (issued < total && t0 + (issued * 1000) / rate <= now) {
      queue.push(t0 + (issued * 1000) / rate);
      issued++;
    }
    while (queue.length > 0 && idle.length > 0) next(idle.pop()!);
    if (issued >= total) {
      clearInterval(tick);
      const wait = setInterval(() => {
        if (queue.length === 0 && conns.every((c) => !c.busy)) {
          clearInterval(wait);
          done();
        }
      }, 5);
    }
  }, 1);
});
for (const c of conns) c.socket.destroy();
latencies.sort((a, b) => a - b);
const p = (q: number): number =>
  Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN).toFixed(2));
process.stdout.write(
  `${JSON.stringify({ sent, ok: latencies.length, errors, p50: p(0.5), p90: p(0.9), p99: p(0.99), p999: p(0.999), max: p(1) })}\n`,
);
