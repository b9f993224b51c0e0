/** Connection hygiene for the gateway's HTTP server: a cap on the connections one client address may hold. */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Closes connections past `max` per client address at once, before any request on them is read (0: no cap),
 * so one client cannot hold every socket the process can open.
 */
export function capConnectionsPerClient(server: Server, max: number): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const addr = socket.remoteAddress ?? '';
    const n = (open.get(addr) ?? 0) + 1;
    if (n > max) {
      socket.destroy();
      return;
    }
    open.set(addr, n);
    socket.once('close', () => {
      const left = (open.get(addr) ?? 1) - 1;
      if (left > 0) open.set(addr, left);
      else open.delete(addr);
    });
  });
}
