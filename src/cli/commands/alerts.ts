/** `tally alerts run` (one evaluation pass, for cron) and `tally alerts test` (a test message to every sink). */
import { TallyError, parseUtc } from '../../core/index.js';
import { alertBody, evaluateAlerts, postJson, type AlertEvent } from '../../alerts/index.js';
import { defineCommand } from '../command.js';

export const alertsRunCommand = defineCommand({
  writes: true,
  options: {
    at: { type: 'string', description: 'evaluate as of this time (default now)' },
    'dry-run': { type: 'boolean', description: 'show what would be sent; send nothing, record nothing' },
  },
  async run(ctx) {
    const at = ctx.str('at');
    const now = at ? parseUtc(at, 'at') : new Date();
    const dryRun = ctx.flag('dry-run');
    const store = await ctx.openStore({ readOnly: dryRun });
    const summary = await evaluateAlerts(store, ctx.config(), now, { dryRun });
    if (ctx.json) {
      ctx.out.json(summary);
      return summary.alerts.some((a) => a.outcome === 'failed') ? 69 : 0;
    }
    ctx.out.line(`${summary.anomalies} anomalies, ${summary.budgets} budgets evaluated at ${summary.at}`);
    ctx.out.table(
      summary.alerts.map((a) => ({
        alert: a.key,
        outcome: a.outcome,
        sinks: a.sinks.map((s) => `${s.sink}:${s.status ?? s.error ?? '-'}`).join(' '),
      })),
    );
    return summary.alerts.some((a) => a.outcome === 'failed') ? 69 : 0;
  },
});

export const alertsTestCommand = defineCommand({
  options: { sink: { type: 'string', description: 'only the sink with this name (or type)' } },
  async run(ctx) {
    const wanted = ctx.str('sink');
    const sinks = (ctx.config().alerts?.sinks ?? []).filter(
      (s) => !wanted || s.name === wanted || s.type === wanted,
    );
    if (sinks.length === 0)
      throw new TallyError(
        'invalid_config',
        wanted ? `no alert sink named ${wanted}` : 'no alert sinks configured (alerts.sinks in tally.yaml)',
        {
          field: 'alerts.sinks',
        },
      );
    const event: AlertEvent = {
      key: `test:${Date.now()}`,
      kind: 'test',
      title: 'Tally test alert',
      text: 'If you can read this, Tally alerts reach this channel.',
      facts: [['Sent', new Date().toISOString()]],
      fingerprint: 'test',
      impactUsd: 0,
      data: null,
    };
    const results = [];
    for (const s of sinks) {
      try {
        const status = await postJson(s.url, alertBody(s.type, event));
        results.push({ sink: s.name ?? s.type, type: s.type, status, ok: status >= 200 && status < 300 });
      } catch (err) {
        results.push({
          sink: s.name ?? s.type,
          type: s.type,
          status: null,
          ok: false,
          error: (err as Error).message,
        });
      }
    }
    if (ctx.json) ctx.out.json({ results });
    else ctx.out.table(results);
    return results.every((r) => r.ok) ? 0 : 69;
  },
});
