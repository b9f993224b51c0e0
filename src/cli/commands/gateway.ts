/**
 * `tally gateway`: runs the metering gateway until SIGTERM/SIGINT, then drains and flushes the ledger. It is
 * `tally serve` with the API on a private loopback port, so every other command keeps working while it runs
 * (they reach it through `<db>.server.json`) and alert evaluation runs off the gateway's event loop.
 */
import { TallyError } from '../../core/index.js';
import { startServer } from '../../server/index.js';
import { defineCommand } from '../command.js';
import { maskStoreUrl } from '../../store/index.js';
import { serveUntilSignal, trapSignals } from './serve.js';

export const gatewayCommand = defineCommand({
  local: true,
  options: {
    port: { type: 'string', description: 'listen port (default gateway.port, 8787; 0 picks a free one)' },
    host: { type: 'string', description: 'listen address (default all interfaces)' },
  },
  async run(ctx) {
    const config = ctx.config();
    if (!config.gateway || config.gateway.upstreams.length === 0)
      throw new TallyError(
        'invalid_config',
        'gateway.upstreams: configure at least one upstream in tally.yaml',
        {
          field: 'gateway.upstreams',
        },
      );
    const port = ctx.num('port', { min: 0, integer: true });
    const host = ctx.str('host');
    const gateway = { ...config.gateway, ...(port !== undefined ? { port } : {}), ...(host ? { host } : {}) };
    const signals = trapSignals();
    const running = await startServer({
      config: { ...config, gateway },
      dbPath: ctx.dbPath,
      // The API only serves this machine's CLI here: loopback, any free port.
      port: 0,
      host: '127.0.0.1',
      gateway: true,
      mode: 'gateway',
    });
    const gw = running.gateway!;
    ctx.out.note(`tally gateway listening on ${gw.url} (store ${maskStoreUrl(ctx.dbPath)})`);
    if (ctx.json) ctx.out.json({ url: gw.url, port: gw.port, pid: process.pid });
    await serveUntilSignal(ctx, running, 'gateway', signals);
  },
});
