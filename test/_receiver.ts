/** Test helper: a real local HTTP server on an ephemeral port that records JSON POSTs (the webhook receiver). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One received request. */
export interface Received {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** A running receiver; `status` sets the reply code for later requests. */
export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  status: number;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1, port 0. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const r = { status: 200 };
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (b: Buffer) => (text += b.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '/', body: JSON.parse(text || '{}') as Record<string, unknown> });
      res.writeHead(r.status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get status() {
      return r.status;
    },
    set status(v: number) {
      r.status = v;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
