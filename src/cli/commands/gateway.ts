/** `tally gateway`: runs the metering gateway until SIGTERM/SIGINT, then drains and flushes the ledger. */
import { startGateway } from '../../gateway/index.js';
import type { Command } from '../command.js';

export const gatewayCommand: Command = {
  name: 'gateway',
  summary: 'run the OpenAI/Azure-compatible metering gateway',
  usage: '[--config tally.yaml] [--db PATH] [--port P] [--host ADDR]',
  options: {
    port: { type: 'string', description: 'listen port (default gateway.port, 8787; 0 picks a free one)' },
    host: { type: 'string', description: 'listen address (default all interfaces)' },
  },
  async run(ctx) {
    const config = ctx.config();
    const running = await startGateway({
      config,
      dbPath: ctx.dbPath,
      port: ctx.num('port', { min: 0, integer: true }),
      host: ctx.str('host'),
    });
    ctx.out.note(`tally gateway listening on ${running.url} (store ${ctx.dbPath})`);
    if (ctx.json) ctx.out.json({ url: running.url, port: running.port, pid: process.pid });
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        ctx.out.note('tally gateway: draining in-flight requests and flushing the ledger');
        running.stop().then(resolve, (err: unknown) => {
          process.stderr.write(`tally gateway: shutdown error: ${String(err)}\n`);
          resolve();
        });
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    ctx.out.note('tally gateway: stopped');
  },
};
