/** `tally recommend`: ranked savings with their evidence (issue 14). */
import { describeRates, formatMoney, formatUsd, monthWindow } from '../../core/index.js';
import {
  allocationSettings,
  forTeams,
  inCurrency,
  loadHostedCosts,
  loadRecommendInputs,
  recommend,
  ratesFor,
  recommendDocument,
} from '../../analytics/index.js';
import { defineCommand } from '../command.js';
import { latestPeriodOption, periodOrLatest } from './_latest-period.js';

export const recommendCommand = defineCommand({
  options: {
    period: latestPeriodOption,
  },
  async run(ctx) {
    const store = await ctx.openStore({ readOnly: true });
    const period = await periodOrLatest(ctx.str('period'), store);
    // A closed month's inputs are shared with the serving process's later questions (ADR 0040): its ledger and
    // the cost rows up to its end change only by a write, and a write to them forgets the inputs.
    const s = allocationSettings(ctx.config());
    const window = monthWindow(period);
    const load = () => loadRecommendInputs(store, window, s.rates ?? []);
    const inputs = await (ctx.memo ? ctx.memo.get(period, 'recommend/inputs', load, true) : load());
    // Self-hosted deployments declared in tally.yaml: their idle hours (ADR 0026).
    const hostedCosts = s.hosted?.length ? await loadHostedCosts(store, s.hosted, inputs.window, [], s) : [];
    const all = recommend({ ...inputs, hostedCosts });
    // A team-scoped caller sees only recommendations about its own teams' apps.
    const teams = ctx.scope?.teams;
    const scoped = teams ? forTeams(all, teams) : all;
    // Savings are priced in USD (the catalog); a reporting currency gets them at the period's last day's rate.
    const currency = s.currency ?? 'USD';
    const lastDay = new Date(window.to.getTime() - 86_400_000).toISOString().slice(0, 10);
    const { result: res, rate } =
      currency === 'USD'
        ? { result: scoped, rate: null }
        : inCurrency(scoped, currency, await ratesFor(store, window, s.rates ?? []), lastDay);
    const rates = [...(inputs.exchangeRates ?? []), ...(rate ? [rate] : [])];
    const doc = recommendDocument(period, res, rates, currency);
    if (ctx.json) {
      ctx.out.json(doc);
      return;
    }
    ctx.out.line(
      `Recommendations for ${period}: ${formatMoney(res.totalMonthlySavingsNanos, currency)} a month at your rates`,
    );
    ctx.out.table(
      res.recommendations.map((r, i) => ({
        '#': i + 1,
        kind: r.kind,
        [`monthly${currency === 'USD' ? 'Usd' : ` (${currency})`}`]: formatUsd(r.monthlySavingsNanos),
        confidence: r.confidence,
        recommendation: r.title + (r.alternativeTo ? ' (alternative; not in total)' : ''),
      })),
    );
    for (const n of res.notes) ctx.out.line(`note: ${n}`);
    if (rates.length) ctx.out.line(describeRates(currency, rates));
    if (currency !== 'USD') ctx.out.line('Evidence figures are in USD, as the catalog prices them.');
    ctx.out.line('Evidence, SQL and actions: tally recommend --json');
  },
});
