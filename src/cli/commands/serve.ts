/**
 * `tally serve`: evaluates anomalies, budgets and alerts every `alerts.intervalSeconds` (default 300 s) until
 * SIGINT/SIGTERM. The store is opened for each pass and closed after it, so other commands can use it between.
 */
import { openStore } from '../../store/index.js';
import { evaluateAlerts } from '../../alerts/index.js';
import { toTallyError } from '../../core/index.js';
import type { Command } from '../command.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'evaluate anomalies, budgets and alerts periodically (until interrupted)',
  usage: '[--db PATH] [--config FILE] [--interval SECONDS] [--once]',
  options: {
    interval: { type: 'string', description: 'seconds between passes (default alerts.intervalSeconds, 300)' },
    once: { type: 'boolean', description: 'run one pass and exit' },
  },
  async run(ctx) {
    const config = ctx.config();
    const seconds = ctx.num('interval', { min: 1 }) ?? config.alerts?.intervalSeconds ?? 300;
    let stopping = false;
    let wake: (() => void) | null = null;
    const stop = () => {
      stopping = true;
      wake?.();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      while (!stopping) {
        const started = Date.now();
        try {
          const store = await openStore({
            path: ctx.dbPath,
            memoryLimit: config.store.memoryLimit,
            threads: config.store.threads,
          });
          try {
            const s = await evaluateAlerts(store, config, new Date());
            const sent = s.alerts.filter((a) => a.outcome === 'sent' || a.outcome === 'updated').length;
            const line = { at: s.at, anomalies: s.anomalies, budgets: s.budgets, sent };
            if (ctx.json) process.stdout.write(JSON.stringify(line) + '\n');
            else ctx.out.note(`${s.at}: ${s.anomalies} anomalies, ${s.budgets} budgets, ${sent} alerts sent`);
          } finally {
            await store.close();
          }
        } catch (err) {
          // Keep serving: a locked store or an unreachable sink is retried next pass.
          ctx.out.note(`evaluation failed: ${toTallyError(err).message}`);
        }
        if (ctx.flag('once')) break;
        const wait = Math.max(0, seconds * 1000 - (Date.now() - started));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};
