/** `tally estimate --scenario F.yaml`: monthly tokens and cost per option, the cheapest that fits, PTU sizing. */
import { TallyError, nanosToUsd, formatMoney, formatUsd, parseUtc, toCsv } from '../../core/index.js';
import { estimateScenario, loadScenario, type Estimate, type OptionEstimate } from '../../estimate/index.js';
import { defineCommand } from '../command.js';
import { loadPriceImports } from './prices-import.js';

const round = (x: number, places = 6) => Math.round(x * 10 ** places) / 10 ** places;

function optionJson(o: OptionEstimate, history: string) {
  return {
    name: o.name,
    model: o.model,
    modelId: o.modelId,
    deployment: o.deployment,
    provider: o.provider,
    months: o.months.map((m) => ({
      month: m.month,
      conversations: round(m.conversations),
      inputTokens: m.inputTokens,
      cachedInputTokens: m.cachedInputTokens,
      outputTokens: m.outputTokens,
      tokenCostUsd: nanosToUsd(m.tokenCostNanos),
      fixedCostUsd: nanosToUsd(m.fixedCostNanos),
      totalCostUsd: nanosToUsd(m.totalCostNanos),
      // Provisioned options have no per-token price: their token cost is the PTU cost.
      ...(m.ptuUnits !== undefined ? { ptuUnits: m.ptuUnits, ptuCostUsd: nanosToUsd(m.tokenCostNanos) } : {}),
    })),
    totalCostUsd: nanosToUsd(o.totalCostNanos),
    fits: o.fits,
    ...(o.notFitReason ? { notFitReason: o.notFitReason } : {}),
    ...(o.ptu
      ? {
          ptu: {
            units: o.ptu.units,
            reservation: o.ptu.reservation,
            utilization: round(o.ptu.utilization),
            breakEvenUtilization: Number.isFinite(o.ptu.breakEvenUtilization)
              ? round(o.ptu.breakEvenUtilization)
              : null,
            paygCostUsd: nanosToUsd(o.ptu.paygCostNanos),
            fitsPeak: o.ptu.fitsPeak,
          },
        }
      : {}),
    history: {
      strategy: history,
      totalCostUsd: nanosToUsd(o.totalCostNanos),
      window2TotalCostUsd: nanosToUsd(o.window2TotalCostNanos),
      extraCostUsd: nanosToUsd(o.totalCostNanos - o.window2TotalCostNanos),
    },
  };
}

/** The JSON document `tally estimate --json` prints. */
export function estimateJson(e: Estimate) {
  const cheapest = e.options.find((o) => o.name === e.cheapest?.name);
  return {
    scenario: e.scenario,
    horizonMonths: e.horizonMonths,
    history: e.history,
    options: e.options.map((o) => optionJson(o, e.history)),
    cheapest: cheapest
      ? {
          name: cheapest.name,
          model: cheapest.model,
          deployment: cheapest.deployment,
          totalCostUsd: nanosToUsd(cheapest.totalCostNanos),
        }
      : null,
    historyVsWindow2: cheapest
      ? {
          strategy: e.history,
          extraCostUsd: nanosToUsd(cheapest.totalCostNanos - cheapest.window2TotalCostNanos),
        }
      : null,
  };
}

const CSV_COLUMNS = [
  'option',
  'model',
  'deployment',
  'month',
  'conversations',
  'inputTokens',
  'cachedInputTokens',
  'outputTokens',
  'tokenCostUsd',
  'fixedCostUsd',
  'totalCostUsd',
  'ptuUnits',
];

function estimateCsv(e: Estimate): string {
  const rows = e.options.flatMap((o) =>
    o.months.map((m) => ({
      option: o.name,
      model: o.model,
      deployment: o.deployment,
      month: m.month,
      conversations: round(m.conversations),
      inputTokens: m.inputTokens,
      cachedInputTokens: m.cachedInputTokens,
      outputTokens: m.outputTokens,
      tokenCostUsd: formatUsd(m.tokenCostNanos, 6),
      fixedCostUsd: formatUsd(m.fixedCostNanos, 6),
      totalCostUsd: formatUsd(m.totalCostNanos, 6),
      ptuUnits: m.ptuUnits,
    })),
  );
  // The scenario's option names are user text: core's writer neutralises formulas in them.
  return toCsv(CSV_COLUMNS, rows, { eol: '\n' }).trimEnd();
}

export const estimateCommand = defineCommand({
  options: {
    scenario: { type: 'string', short: 's', description: 'scenario YAML file (see examples/)' },
    csv: { type: 'boolean', description: 'print one CSV row per option and month' },
    at: { type: 'string', description: 'price date YYYY-MM-DD (default today)' },
  },
  async run(ctx) {
    const path = ctx.str('scenario');
    if (!path)
      throw new TallyError('invalid_input', 'give --scenario FILE.yaml (see examples/support-chatbot.yaml)', {
        field: 'scenario',
      });
    if (ctx.json && ctx.flag('csv'))
      throw new TallyError('invalid_input', 'give --json or --csv, not both', { field: 'csv' });
    const atText = ctx.str('at');
    const at = atText ? parseUtc(atText, 'at') : undefined;
    const scenario = loadScenario(path);
    // Imported retail prices and price sheets (store kv, pricing.priceSheet) apply to estimates too.
    await loadPriceImports(ctx);
    const discounts = ctx.config().pricing.discounts;
    const e = estimateScenario(scenario, { discounts, ...(at ? { at } : {}) });
    if (ctx.json) {
      ctx.out.json(estimateJson(e));
      return;
    }
    if (ctx.flag('csv')) {
      ctx.out.line(estimateCsv(e));
      return;
    }
    ctx.out.line(`Scenario ${e.scenario}: ${e.horizonMonths} months, history ${e.history}`);
    ctx.out.table(
      e.options.map((o) => ({
        option: o.name,
        total: formatMoney(o.totalCostNanos, 'USD'),
        'per month (avg)': formatMoney(o.totalCostNanos / BigInt(e.horizonMonths), 'USD'),
        ptu: o.ptu
          ? `${o.ptu.units} (${(o.ptu.utilization * 100).toFixed(0)}% used, break-even ${(o.ptu.breakEvenUtilization * 100).toFixed(0)}%)`
          : '',
        'vs window:2': formatMoney(o.totalCostNanos - o.window2TotalCostNanos, 'USD'),
        fits: o.fits ? 'yes' : `no: ${o.notFitReason ?? ''}`,
      })),
    );
    ctx.out.line(e.cheapest ? `Cheapest that fits: ${e.cheapest.name}` : 'No option fits the peak load.');
  },
});
