/** `tally demo`: builds the seeded demo organisation in the store and prints what it built. */
import { buildDemo, type DemoResult } from '../../demo/index.js';
import { formatUsd, parseUtc } from '../../core/index.js';
import { parseUsd } from '../../core/index.js';
import { defineCommand, type CommandContext } from '../command.js';

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
  printAnalyses(ctx, r);
  const db = ` --db ${ctx.dbPath}`;
  const port = ctx.config().server?.port ?? 8790;
  o.line();
  o.line('See it in the dashboard and the API:');
  o.line(`  npx tally users create${db} --name you --role admin   # prints a token, shown once`);
  o.line(
    `  npx tally serve${db}                                   # then open http://127.0.0.1:${port} and sign in`,
  );
}

const pct = (f: number | null) => (f === null ? '-' : `${(f * 100).toFixed(1)}%`);
const unit = (n: number | null) => (n === null ? '-' : `$${n.toFixed(4)}`);

/** The analyses' short summaries, one block each (skipped ones are absent). */
function printAnalyses(ctx: CommandContext, r: DemoResult): void {
  const o = ctx.out;
  const cb = r.chargeback;
  if (cb) {
    o.line();
    o.line(
      `Chargeback by team, ${cb.period}${cb.complete ? '' : ' (partly covered)'}: ${usd(cb.totalCostUsd)} AI cost (export ${usd(cb.exportCostUsd)}, ledger-only ${usd(cb.ledgerOnlyCostUsd)}); ${cb.balances ? 'balances to the cent' : 'DOES NOT BALANCE'}`,
    );
    o.table([
      ...cb.rows.map((x) => ({
        team: x.team,
        direct: usd(x.directCostUsd),
        shared: usd(x.sharedCostUsd),
        total: usd(x.totalCostUsd),
        share: pct(x.shareOfTotal),
      })),
      { team: `(${cb.unallocatedLabel})`, total: usd(cb.unallocatedCostUsd) },
    ]);
  }
  const rc = r.reconcile;
  if (rc) {
    o.line();
    o.line(
      `Reconciliation ${rc.period}: metered ${usd(rc.meteredCostUsd)} (list ${usd(rc.meteredListCostUsd)}) vs billed ${usd(rc.billedCostUsd)}; variance ${usd(rc.varianceUsd)}, explained ${usd(rc.explainedUsd)}, unexplained ${usd(rc.unexplainedUsd)}, ${rc.flaggedCount} flagged`,
    );
    o.table(rc.explained.map((e) => ({ explained: e.kind, amount: usd(e.amountUsd) })));
  }
  const ue = r.unitEconomics;
  if (ue) {
    o.line();
    o.line(
      `Unit economics ${ue.period}: ${usd(ue.costUsd)} over ${ue.requests.toLocaleString('en-US')} requests: ${unit(ue.costPerRequestUsd)} per request, ${unit(ue.costPerConversationUsd)} per conversation, ${unit(ue.costPerActiveUserUsd)} per active user, AI cost ${pct(ue.aiCostShareOfRevenue)} of revenue`,
    );
    o.table(
      ue.rows.map((x) => ({
        app: x.app,
        cost: usd(x.costUsd),
        requests: x.requests,
        perRequest: unit(x.costPerRequestUsd),
        perConversation: unit(x.costPerConversationUsd),
      })),
    );
  }
  const f = r.forecast;
  if (f) {
    o.line();
    o.line(
      `Forecast of ${f.month} bill (${f.basis} basis, ${f.metric}, export through ${f.exportThrough ?? '-'}; committed ${usd(f.committedUsd)} (${f.committedSource === 'schedule' ? 'schedule held at every backtest origin' : `p10 ${usd(f.committedP10Usd)}, p90 ${usd(f.committedP90Usd)}, ${f.committedSource}`}) + variable, ${f.tier} model, season ${f.season}, ${f.historyDays} days of history): p10 ${usd(f.p10Usd)}, p50 ${usd(f.p50Usd)}, p90 ${usd(f.p90Usd)}`,
    );
    if (f.actualUsd !== undefined)
      o.line(
        `${f.month} as the demo then billed it: ${usd(f.actualUsd)}; the p50 forecast was ${(f.errorPct ?? 0).toFixed(1)}% off`,
      );
  }
  const b = r.budgets;
  if (b) {
    o.line();
    o.line(`Budgets as of ${b.at.slice(0, 10)} (tally budgets status shows them)`);
    o.table(
      b.rows.map((x) => ({
        budget: x.id,
        amount: usd(x.amountUsd),
        spent: usd(x.spentUsd),
        forecast: `${usd(x.forecastUsd)} (${usd(x.forecastP10Usd)}-${usd(x.forecastP90Usd)})`,
        crossed: x.crossed.map((c) => `${c.type} ${c.percent}%`).join(', '),
      })),
    );
  }
  const a = r.anomalies;
  if (a) {
    o.line();
    o.line(
      `Anomaly incidents ${a.from.slice(0, 10)} to ${a.to.slice(0, 10)} (tally anomalies shows them): ${a.count} reported; injected ${a.found} of ${a.found + a.missed} found, ${a.unmatched} others`,
    );
    o.table(
      a.incidents.map((i) => ({
        injected: i.kind,
        start: i.start.slice(0, 16),
        found: i.found ? (i.matches > 1 ? `yes (${i.matches} incidents)` : 'yes') : 'MISSED',
        delay: i.detectionDelayHours === null ? '' : `${i.detectionDelayHours.toFixed(0)} h`,
        rootCause: i.match?.rootCause ?? '',
      })),
    );
    o.line('Largest incidents');
    o.table(
      a.top.slice(0, 5).map((x) => ({
        start: x.start.slice(0, 16),
        kind: x.kind,
        severity: x.severity,
        impact:
          x.wastePerDayUsd !== null ? `${usd(x.impactUsd)} (${usd(x.wastePerDayUsd)}/day)` : usd(x.impactUsd),
        rootCause: x.rootCause,
        scopes: x.scopes,
      })),
    );
  }
}

/** The demo command. */
export const demoCommand = defineCommand({
  local: true,
  options: {
    days: { type: 'string', description: 'days of history', default: '90' },
    seed: { type: 'string', description: 'random seed (same seed, same data)', default: '42' },
    end: { type: 'string', description: 'end of the period, exclusive (UTC date; default today)' },
    'no-serve': {
      type: 'boolean',
      description: 'accepted for scripts; the demo never serves (run tally serve --db PATH afterwards)',
    },
    'next-month': {
      type: 'boolean',
      description: 'also generate the month after the period, to check the forecast against its bill',
    },
    'skip-analyses': {
      type: 'boolean',
      description:
        'build the data only (no chargeback, reconcile, unit economics, forecast, budgets, anomalies)',
    },
  },
  async run(ctx) {
    const days = ctx.num('days', { integer: true, min: 1 }) ?? 90;
    const seed = ctx.num('seed', { integer: true, min: 0 }) ?? 42;
    const endText = ctx.str('end');
    const end = endText ? parseUtc(endText, 'end') : undefined;
    const store = await ctx.openStore();
    const started = Date.now();
    const bar = ctx.out.progress('demo', days);
    let barOpen = true;
    const closeBar = () => {
      if (barOpen) bar.done();
      barOpen = false;
    };
    const result = await buildDemo({
      store,
      dbPath: ctx.dbPath,
      days,
      seed,
      end,
      onProgress: (_phase, done) => bar.update(done),
      config: ctx.config(),
      skipAnalyses: ctx.flag('skip-analyses'),
      nextMonth: ctx.flag('next-month'),
      onAnalysis: (name) => {
        closeBar();
        ctx.out.note(`demo: ${name}`);
      },
    });
    closeBar();
    if (ctx.json) ctx.out.json(result);
    else printForPeople(ctx, result);
    ctx.out.note(`demo built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  },
});
