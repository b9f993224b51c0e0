/** `tally gateway`: runs the metering gateway until SIGTERM/SIGINT, then drains and flushes the ledger. */
import { evaluateAlerts } from '../../alerts/index.js';
import { toTallyError } from '../../core/index.js';
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
      // The gateway holds the store, so it evaluates budgets, anomalies and alerts itself (like `tally serve`),
      // every alerts.intervalSeconds, when alert sinks or budgets are configured.
      periodic:
        (config.alerts?.sinks.length ?? 0) > 0 || (config.budgets?.length ?? 0) > 0
          ? {
              everyMs: (config.alerts?.intervalSeconds ?? 300) * 1000,
              run: async (store) => {
                const s = await evaluateAlerts(store, config, new Date());
                const sent = s.alerts.filter((a) => a.outcome === 'sent' || a.outcome === 'updated').length;
                ctx.out.note(`${s.at}: ${s.anomalies} anomalies, ${s.budgets} budgets, ${sent} alerts sent`);
              },
              onError: (err) =>
                ctx.out.note(`tally gateway: evaluation failed: ${toTallyError(err).message}`),
            }
          : undefined,
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
