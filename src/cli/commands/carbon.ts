/** `tally carbon`: energy and emissions of LLM traffic as ranges, by team, app, model, region or deployment (issue 14). */
import { monthWindow, TallyError } from '../../core/index.js';
import { toCsv } from '../../export/index.js';
import {
  allocationSettings,
  CARBON_BY,
  carbonMethod,
  carbonReport,
  loadGridFactors,
  loadMeasuredEnergy,
  loadTokenGroups,
  type CarbonBasis,
  type CarbonBy,
} from '../../analytics/index.js';
import { defineCommand } from '../command.js';
import { latestPeriodOption, periodOrLatest } from './_latest-period.js';

export const carbonCommand = defineCommand({
  options: {
    by: { type: 'string', description: 'grouping (default team)' },
    period: latestPeriodOption,
    basis: { type: 'string', description: 'location (region grid factors, default) or market' },
    'market-factor': {
      type: 'string',
      description: 'market-based gCO2e/kWh from your energy contracts (with --basis market)',
    },
    factors: {
      type: 'string',
      description: 'CCF region factor CSV (default ../shared/data/ccf or TALLY_CCF_FACTORS; else built-in)',
    },
    csv: { type: 'boolean', description: 'print CSV' },
  },
  async run(ctx) {
    const by = (ctx.str('by') ?? 'team') as CarbonBy;
    if (!CARBON_BY.includes(by))
      throw new TallyError('invalid_input', `--by "${by}": use ${CARBON_BY.join(', ')}`, {
        field: 'by',
        allowed: CARBON_BY,
      });
    const basis = basisOption(ctx.str('basis'), ctx.num('market-factor', { min: 0 }));
    const store = await ctx.openStore({ readOnly: true });
    const period = await periodOrLatest(ctx.str('period'), store);
    const factors = loadGridFactors(ctx.str('factors'));
    const w = monthWindow(period);
    const groups = await loadTokenGroups(store, w, by, ctx.scope?.teams);
    // Self-hosted deployments that declare their GPUs or draw: energy from their hours (ADR 0026).
    const settings = allocationSettings(ctx.config());
    const measured = await loadMeasuredEnergy(
      store,
      settings.hosted ?? [],
      w,
      by,
      settings,
      ctx.scope?.teams,
    );
    const report = carbonReport(groups, factors, basis, measured.energy);
    const rows = report.rows.map(
      (
        r,
      ): Record<string, unknown> &
        Pick<typeof r, 'requests' | 'outputTokens' | 'energyWh' | 'co2eGrams' | 'energyWhPerRequest'> => ({
        [by]: r.key,
        requests: r.requests,
        outputTokens: r.outputTokens,
        energyWh: r.energyWh,
        co2eGrams: r.co2eGrams,
        energyWhPerRequest: r.energyWhPerRequest,
        ...(measured.methods.length ? { gpuHoursEnergyWh: r.gpuHoursEnergyWh } : {}),
      }),
    );
    if (ctx.json) {
      ctx.out.json({
        period,
        by,
        rows,
        total: { ...report.total, key: undefined },
        unknownRegions: report.unknownRegions,
        ...(measured.methods.length ? { idle: report.idle } : {}),
        method: carbonMethod(factors, basis, measured.methods),
      });
      return;
    }
    const flat = rows.map((r) => ({
      [by]: r[by] as string | null,
      requests: r.requests,
      outputTokens: r.outputTokens,
      energyWhLow: r.energyWh.low,
      energyWhHigh: r.energyWh.high,
      co2eGramsLow: r.co2eGrams.low,
      co2eGramsHigh: r.co2eGrams.high,
      whPerRequestLow: r.energyWhPerRequest.low,
      whPerRequestHigh: r.energyWhPerRequest.high,
    }));
    if (ctx.flag('csv')) {
      ctx.write(toCsv(Object.keys(flat[0] ?? { [by]: null }), flat));
      return;
    }
    ctx.out.line(
      `Energy and emissions ${period} by ${by} (${basis.kind}-based; EcoLogits equations, usage phase only)`,
    );
    ctx.out.table(flat);
    for (const i of report.idle)
      ctx.out.line(
        `self-hosted ${i.deployment} idle ${i.hours} h: ${i.energyWh} Wh, ${i.co2eGrams} gCO2e (measured from GPU hours; in the total)`,
      );
    if (report.unknownRegions.length)
      ctx.out.line(
        `regions without a factor (CCF "Unknown" ${factors.unknown} g/kWh used): ${report.unknownRegions.join(', ')}`,
      );
  },
});

function basisOption(raw: string | undefined, factor: number | undefined): CarbonBasis {
  if (raw === undefined || raw === 'location') return { kind: 'location' };
  if (raw !== 'market')
    throw new TallyError('invalid_input', `--basis "${raw}": use location or market`, { field: 'basis' });
  if (factor === undefined)
    throw new TallyError(
      'invalid_input',
      '--basis market needs --market-factor G (gCO2e/kWh from your energy contracts)',
      { field: 'market-factor' },
    );
  return { kind: 'market', gco2ePerKwh: factor };
}
