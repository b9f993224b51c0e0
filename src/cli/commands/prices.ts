/** `tally prices`: list token prices (list and effective) by model and deployment type, at a date. */
import { TallyError, nanosToUsd, formatUsd, parseUtc, type Nanos } from '../../core/index.js';
import {
  AZURE_DEPLOYMENTS,
  allPriceRecords,
  applyDiscount,
  canonicalQuery,
  lookupPtuSpec,
  matchDiscount,
  normalizeDeployment,
  normalizeProvider,
  isProvisioned,
  resolveModel,
  type Discount,
  type PriceRecord,
} from '../../catalog/index.js';
import { defineCommand } from '../command.js';
import { loadPriceImports } from './prices-import.js';

const usd = (n: Nanos | null | undefined) => (n === null || n === undefined ? null : nanosToUsd(n));

function deploymentFilter(name: string | undefined): ((r: PriceRecord) => boolean) | undefined {
  if (!name) return undefined;
  const names = new Set<string>();
  let firstErr: unknown;
  for (const p of ['azure', 'openai']) {
    try {
      names.add(normalizeDeployment(name, p));
    } catch (err) {
      firstErr ??= err;
    }
  }
  if (names.size === 0) throw firstErr;
  return (r) => names.has(r.deployment);
}

function inEffect(records: readonly PriceRecord[], day: string, all: boolean): PriceRecord[] {
  if (all) return [...records];
  const latest = new Map<string, PriceRecord>();
  for (const r of records) {
    if (r.effectiveFrom > day) continue;
    const key = [r.provider, r.model, r.deployment, r.region ?? '', r.basis].join('|');
    const cur = latest.get(key);
    if (!cur || r.effectiveFrom >= cur.effectiveFrom) latest.set(key, r);
  }
  return [...latest.values()];
}

function entry(r: PriceRecord, discounts: readonly Discount[], at: Date) {
  const c = canonicalQuery({ model: r.model, deployment: r.deployment, provider: r.provider, at });
  const d = r.basis === 'list' ? matchDiscount(c, discounts) : undefined;
  const eff = (n: Nanos | null | undefined) =>
    n == null ? null : nanosToUsd(d ? applyDiscount(n, d.percent) : n);
  const ptu = isProvisioned(r.deployment)
    ? lookupPtuSpec({ model: r.model, deployment: r.deployment, at })
    : null;
  return {
    model: r.model,
    provider: r.provider,
    deployment: r.deployment,
    ...(r.region ? { region: r.region } : {}),
    basis: r.basis,
    inputPerMTokUsd: usd(r.inputNanosPerMTok),
    cachedInputPerMTokUsd: usd(r.cachedInputNanosPerMTok),
    outputPerMTokUsd: usd(r.outputNanosPerMTok),
    ...(r.cacheWriteNanosPerMTok != null ? { cacheWritePerMTokUsd: usd(r.cacheWriteNanosPerMTok) } : {}),
    effectiveInputPerMTokUsd: eff(r.inputNanosPerMTok),
    effectiveCachedInputPerMTokUsd: eff(r.cachedInputNanosPerMTok),
    effectiveOutputPerMTokUsd: eff(r.outputNanosPerMTok),
    ...(d ? { discountPercent: d.percent } : {}),
    ...(ptu
      ? {
          ptu: {
            hourlyUsd: usd(ptu.hourlyNanos),
            monthlyReservationUsd: usd(ptu.monthlyReservationNanos),
            yearlyReservationUsd: usd(ptu.yearlyReservationNanos),
            minPtu: ptu.minPtu,
            stepPtu: ptu.stepPtu,
            inputTpmPerPtu: ptu.inputTpmPerPtu,
          },
        }
      : {}),
    effectiveFrom: r.effectiveFrom,
    source: r.source,
    version: r.version,
  };
}

const ORDER = ['standard', ...AZURE_DEPLOYMENTS] as readonly string[];

export const pricesCommand = defineCommand({
  options: {
    model: { type: 'string', short: 'm', description: 'model name or alias' },
    deployment: {
      type: 'string',
      short: 'd',
      description: 'deployment type (global-standard, data-zone, ...)',
    },
    provider: { type: 'string', description: 'azure, openai or anthropic' },
    at: { type: 'string', description: 'prices in effect on this date (default today)' },
    all: { type: 'boolean', description: 'include superseded prices (history)' },
  },
  async run(ctx) {
    const atText = ctx.str('at');
    const at = atText ? parseUtc(atText, 'at') : new Date();
    await loadPriceImports(ctx);
    const model = ctx.str('model');
    const resolved = model ? resolveModel(model) : undefined;
    const provider = ctx.str('provider') ? normalizeProvider(ctx.str('provider')!) : undefined;
    const byDeployment = deploymentFilter(ctx.str('deployment'));
    const matching = allPriceRecords().filter(
      (r) =>
        (!resolved || r.model === resolved.family || r.model === resolved.id) &&
        (!provider || r.provider === provider) &&
        (!byDeployment || byDeployment(r)),
    );
    const day = at.toISOString().slice(0, 10);
    const rows = inEffect(matching, day, ctx.flag('all')).sort(
      (a, b) =>
        a.provider.localeCompare(b.provider) ||
        a.model.localeCompare(b.model) ||
        ORDER.indexOf(a.deployment) - ORDER.indexOf(b.deployment) ||
        a.effectiveFrom.localeCompare(b.effectiveFrom),
    );
    if (rows.length === 0 && (model || ctx.str('deployment')))
      throw new TallyError(
        'not_found',
        `no price for ${model ?? 'any model'}${ctx.str('deployment') ? ` on deployment type ${ctx.str('deployment')}` : ''} at ${day}`,
        {
          model,
          deployment: ctx.str('deployment'),
        },
      );
    const discounts = ctx.config().pricing.discounts;
    const entries = rows.map((r) => entry(r, discounts, at));
    if (ctx.json) {
      ctx.out.json(entries);
      return;
    }
    const fmt = (n: Nanos | null) => (n === null ? '-' : formatUsd(n, 4));
    ctx.out.table(
      rows.map((r, i) => ({
        provider: r.provider,
        model: r.model,
        deployment: r.deployment + (r.region ? ` (${r.region})` : ''),
        'input $/1M': fmt(r.inputNanosPerMTok),
        'cached $/1M': fmt(r.cachedInputNanosPerMTok),
        'output $/1M': fmt(r.outputNanosPerMTok),
        effective:
          entries[i]!.discountPercent !== undefined
            ? `-${entries[i]!.discountPercent}%`
            : r.basis === 'effective'
              ? 'price sheet'
              : '',
        from: r.effectiveFrom,
      })),
    );
    if (rows.some((r) => isProvisioned(r.deployment)))
      ctx.out.note('Provisioned rows have no per-token price: PTUs are billed per hour (see --json ptu).');
  },
});
