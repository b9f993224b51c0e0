/**
 * `tally serve`: one running Tally. It owns the store and runs the gateway (when `gateway:` is configured),
 * the HTTP API and dashboard (`server.port`, default 8790) and the scheduled work, until SIGTERM/SIGINT,
 * which drain and exit 0. `tally gateway` is the same process with the API on a private loopback port.
 */
import { evaluateAlerts } from '../../alerts/index.js';
import { startServer, type RunningServer } from '../../server/index.js';
import { defineCommand, type CommandContext } from '../command.js';
import { maskStoreUrl } from '../../store/index.js';

/**
 * SIGTERM/SIGINT trapped from the moment a long-running command starts, before its server is up: a signal
 * that arrives while the store opens or the gateway starts is kept and served as soon as there is something
 * to stop (without the trap, Node's default would kill the process undrained).
 */
export function trapSignals(): { received: Promise<void>; release(): void } {
  let fire: () => void = () => undefined;
  const received = new Promise<void>((resolve) => (fire = resolve));
  const on = (): void => fire();
  process.on('SIGTERM', on);
  process.on('SIGINT', on);
  return {
    received,
    release() {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
    },
  };
}

/** Waits for a trapped signal, then drains and stops the server. */
export async function serveUntilSignal(
  ctx: CommandContext,
  running: RunningServer,
  name: string,
  signals: { received: Promise<void>; release(): void },
): Promise<void> {
  await signals.received;
  ctx.out.note(`tally ${name}: draining in-flight requests and flushing the ledger`);
  try {
    await running.stop();
  } catch (err) {
    ctx.out.note(`tally ${name}: shutdown error: ${String(err)}`);
  } finally {
    signals.release();
  }
  ctx.out.note(`tally ${name}: stopped`);
}

export const serveCommand = defineCommand({
  local: true,
  options: {
    interval: {
      type: 'string',
      description: 'seconds between alert passes (default alerts.intervalSeconds)',
    },
    once: { type: 'boolean', description: 'run one alert pass on the store and exit (no server)' },
    port: { type: 'string', description: 'API and dashboard port (default server.port, 8790; 0 picks one)' },
    host: { type: 'string', description: 'API listen address (default server.host, 127.0.0.1)' },
    'no-gateway': { type: 'boolean', description: 'do not run the gateway even when gateway: is configured' },
  },
  async run(ctx) {
    const interval = ctx.num('interval', { min: 1 });
    if (ctx.flag('once')) return alertPass(ctx);
    const config = ctx.config();
    const signals = trapSignals();
    const running = await startServer({
      config: interval ? { ...config, server: { ...config.server, alertsSeconds: interval } } : config,
      dbPath: ctx.dbPath,
      port: ctx.num('port', { min: 0, integer: true }),
      host: ctx.str('host'),
      gateway: ctx.flag('no-gateway') ? false : undefined,
      json: ctx.json,
    });
    ctx.out.note(
      `tally serve: API and dashboard on ${running.url}${running.gateway ? `, gateway on ${running.gateway.url}` : ''} (store ${maskStoreUrl(ctx.dbPath)})`,
    );
    await serveUntilSignal(ctx, running, 'serve', signals);
  },
});

/** `serve --once`: one alert evaluation on the store, its summary printed, then exit. */
async function alertPass(ctx: CommandContext): Promise<void> {
  const store = await ctx.openStore();
  const s = await evaluateAlerts(store, ctx.config(), new Date());
  const sent = s.alerts.filter((a) => a.outcome === 'sent' || a.outcome === 'updated').length;
  if (ctx.json) ctx.out.json({ at: s.at, anomalies: s.anomalies, budgets: s.budgets, sent });
  else ctx.out.note(`${s.at}: ${s.anomalies} anomalies, ${s.budgets} budgets, ${sent} alerts sent`);
}
