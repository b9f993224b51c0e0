/** `tally demo`: builds the seeded demo organisation in the store and prints what it built. */
import { buildDemo, type DemoResult } from '../../demo/index.js';
import { formatUsd, parseUtc } from '../../core/index.js';
import { parseUsd } from '../../core/index.js';
import type { Command, CommandContext } from '../command.js';

const usd = (n: number) => `$${formatUsd(parseUsd(n))}`;

function printForPeople(ctx: CommandContext, r: DemoResult): void {
  const o = ctx.out;
  o.line(
    `Demo organisation: ${r.teams} teams, ${r.apps} apps, ${r.days} days (${r.from.slice(0, 10)} to ${r.to.slice(0, 10)}), seed ${r.seed}`,
  );
  o.line(
    `${r.events.toLocaleString('en-US')} usage events, ${usd(r.costUsd)} at effective rates (${usd(r.listCostUsd)} list)`,
  );
  o.line();
  o.line('Spend by team');
  o.table(r.byTeam.map((t) => ({ team: t.team, events: t.events, cost: usd(t.costUsd) })));
  o.line();
  o.line('Spend by model');
  o.table(r.byModel.map((m) => ({ model: m.model, events: m.events, cost: usd(m.costUsd) })));
  if (r.topMovers.length) {
    o.line();
    o.line(`Top movers (last ${r.moverWindowDays} days against the ${r.moverWindowDays} before)`);
    o.table(
      r.topMovers.map((m) => ({
        app: m.app,
        team: m.team,
        before: usd(m.previousUsd),
        after: usd(m.currentUsd),
        change: m.changePct === null ? 'new' : `${m.changePct > 0 ? '+' : ''}${m.changePct}%`,
      })),
    );
  }
  o.line();
  o.line('Injected incidents (ground truth in kv demo/incidents)');
  o.table(
    r.incidents.map((i) => ({
      kind: i.kind,
      team: i.scope.team,
      app: i.scope.app ?? '',
      start: i.start,
      end: i.end,
      extra: usd(i.expected.extraCostUsd),
    })),
  );
  o.line();
  o.line(
    `Azure FOCUS export: ${r.costExport.file} (${r.costExport.rows} rows, billed ${usd(r.costExport.billedCostUsd)}, effective ${usd(r.costExport.effectiveCostUsd)}, list ${usd(r.costExport.listCostUsd)})`,
  );
  o.line(`Business KPIs: ${r.kpis.file} (${r.kpis.rows} rows)`);
}

/** The demo command. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'build a seeded demo organisation (usage, Azure cost export, KPIs) in the store',
  usage: '[--days 90] [--seed N] [--end YYYY-MM-DD] [--no-serve] [--db PATH] [--json]',
  options: {
    days: { type: 'string', description: 'days of history', default: '90' },
    seed: { type: 'string', description: 'random seed (same seed, same data)', default: '42' },
    end: { type: 'string', description: 'end of the period, exclusive (UTC date; default today)' },
    'no-serve': { type: 'boolean', description: 'do not serve the dashboard afterwards (there is none yet)' },
  },
  async run(ctx) {
    const days = ctx.num('days', { integer: true, min: 1 }) ?? 90;
    const seed = ctx.num('seed', { integer: true, min: 0 }) ?? 42;
    const endText = ctx.str('end');
    const end = endText ? parseUtc(endText, 'end') : undefined;
    const store = await ctx.openStore();
    const started = Date.now();
    const bar = ctx.out.progress('demo', days);
    const result = await buildDemo({
      store,
      dbPath: ctx.dbPath,
      days,
      seed,
      end,
      onProgress: (_phase, done) => bar.update(done),
    });
    bar.done();
    if (ctx.json) ctx.out.json(result);
    else printForPeople(ctx, result);
    ctx.out.note(`demo built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  },
};
