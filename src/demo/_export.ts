/**
 * The Azure cost export for the demo period, in FOCUS 1.2 form with Azure's meter names and x_ columns:
 * token meters per account, model, deployment type and direction (from the stored usage, so the invoice and
 * the ledger describe the same traffic), PTU hours with a 1-month reservation (purchase + amortised usage),
 * fine-tuned hosting hours, AI Search search-unit hours, and an EA discount on pay-as-you-go meters.
 */
import {
  lookupPrice,
  lookupPtuSpec,
  lookupServicePrice,
  fineTunedHostingPerHour,
  resolveModel,
} from '../catalog/index.js';
import { stableId, toCsv } from '../core/index.js';
import type { CostStore } from '../store/index.js';
import { DEPLOYMENTS, type DemoDeployment } from './_org.js';
import { decimal, fromNanos, scale, tokensCost } from './_money.js';
import {
  AOAI_SVC,
  DAY,
  EXPORT_COLUMNS,
  KEEP,
  RESERVATION_ORDER,
  SUBSCRIPTIONS,
  aoaiResource,
  baseRow,
  daysInMonth,
  hourlyRow,
  isoDay,
  monthStart,
  nextMonth,
  payg,
  ts,
  type ExportRow,
  type Resource,
} from './_export-rows.js';

export { EXPORT_COLUMNS, type ExportRow } from './_export-rows.js';

/** Traffic on the invoice that never went through the gateway (for reconciliation to find and explain). */
export const GATEWAY_BYPASS = {
  account: 'aoai-engineering-nonprod',
  model: 'o4-mini-2025-04-16',
  type: 'global-standard',
  /** Uncached input and output tokens added to the export on each weekday (UTC). */
  inputTokensPerWeekday: 4_000_000n,
  outputTokensPerWeekday: 600_000n,
  description:
    'a data-science notebook calls code-o4-mini in aoai-engineering-nonprod with the raw Azure key on weekdays',
} as const;

/** Daily token totals of one account x model x deployment type (from the stored usage). */
interface TokenDay {
  day: string;
  account: string;
  model: string;
  type: string;
  uncached: bigint;
  cached: bigint;
  output: bigint;
}

/** Azure-style meter name, e.g. `gpt-4o-mini-0718-Inp-glbl Tokens`, `gpt-4o-mini-0718-cchd-Inp-glbl Tokens`. */
export function tokenMeterName(
  modelId: string,
  family: string,
  type: string,
  dir: 'input' | 'cached-input' | 'output',
): string {
  const dated = /-(\d{4})-(\d{2})-(\d{2})$/.exec(modelId);
  const short = dated ? `${family}-${dated[2]}${dated[3]}` : family;
  const where =
    {
      'global-standard': 'glbl',
      'data-zone': 'DZone',
      regional: 'regnl',
      batch: 'glbl',
      'fine-tuned': 'regnl',
    }[type] ?? 'glbl';
  const pre = `${short}${type === 'batch' ? '-Batch' : ''}${type === 'fine-tuned' ? '-ft' : ''}`;
  if (family.startsWith('text-embedding')) return `${pre}-${where} Tokens`;
  const d = dir === 'input' ? 'Inp' : dir === 'cached-input' ? 'cchd-Inp' : 'Outp';
  return `${pre}-${d}-${where} Tokens`;
}

function tokenRows(t: TokenDay): ExportRow[] {
  const at = new Date(ts(t.day));
  const price = lookupPrice({ model: t.model, deployment: t.type, provider: 'azure', at });
  if (!price) return [];
  const m = resolveModel(t.model);
  const out: ExportRow[] = [];
  const dirs: ['input' | 'cached-input' | 'output', bigint, bigint][] = [
    ['input', t.uncached, price.inputNanosPerMTok],
    ['cached-input', t.cached, price.cachedInputNanosPerMTok ?? price.inputNanosPerMTok],
    ['output', t.output, price.outputNanosPerMTok],
  ];
  for (const [dir, tokens, perM] of dirs) {
    if (tokens === 0n) continue;
    const row = baseRow(t.day, aoaiResource(t.account));
    const meter = tokenMeterName(m.id, m.family, t.type, dir);
    Object.assign(row, {
      ServiceName: 'Azure AI Services',
      ServiceCategory: 'AI and Machine Learning',
      ServiceSubcategory: 'AI Platforms',
      SkuMeter: meter,
      ChargeDescription: `Azure OpenAI - ${meter}`,
      x_SkuMeterCategory: 'Foundry Models',
      x_SkuMeterSubcategory: 'Azure OpenAI',
      x_SkuDescription: `Azure OpenAI ${meter}`,
      SkuPriceDetails: JSON.stringify({ x_ModelId: m.id, x_DeploymentType: t.type }),
    });
    out.push(
      payg(row, {
        quantity: decimal(tokens, 3),
        unitPrice: decimal(perM, 12),
        contractedUnitPrice: decimal(perM * BigInt(KEEP), 14),
        list: tokensCost(tokens, perM),
        unit: 'Units',
        block: '1000',
        unitDesc: '1K',
        consumed: tokens.toString(),
        consumedUnit: 'Tokens',
      }),
    );
  }
  return out;
}

function ptuRows(day: string, d: DemoDeployment): ExportRow[] {
  const spec = lookupPtuSpec({ model: d.model, deployment: 'provisioned', at: new Date(ts(day)) });
  if (!spec || !d.ptu) return [];
  const r = aoaiResource(`aoai-${d.owner}-prod`);
  const reserved = d.reservedPtu ?? 0;
  const meter = 'Provisioned Managed Global Unit';
  const out: ExportRow[] = [];
  const reservationId = `/providers/microsoft.capacity/reservationorders/${RESERVATION_ORDER}/reservations/${stableId('ptu-reservation', d.name).slice(0, 8)}`;
  const commitment = {
    CommitmentDiscountId: reservationId,
    CommitmentDiscountName: `ptu-global-${d.name}-1m`,
    CommitmentDiscountCategory: 'Usage',
    CommitmentDiscountType: 'Reservation',
    CommitmentDiscountUnit: 'PTU',
  };
  if (d.ptu > reserved)
    out.push(hourlyRow(day, r, meter, (d.ptu - reserved) * 24, spec.hourlyNanos, AOAI_SVC));
  if (reserved > 0) {
    // Reserved PTU-hours: billed 0 on the day (the purchase carries the money), amortised into EffectiveCost.
    const hours = reserved * 24;
    const row = hourlyRow(day, r, meter, hours, spec.hourlyNanos, AOAI_SVC);
    const amortised = scale(
      fromNanos(spec.monthlyReservationNanos * BigInt(reserved)),
      1n,
      BigInt(daysInMonth(day)),
    );
    Object.assign(row.csv, commitment, {
      PricingCategory: 'Committed',
      CommitmentDiscountStatus: 'Used',
      CommitmentDiscountQuantity: String(hours),
      BilledCost: '0',
      EffectiveCost: decimal(amortised),
      PricingCurrencyEffectiveCost: decimal(amortised),
    });
    row.csv['SkuPriceId'] = stableId('skuprice', meter, 'Committed');
    out.push({ ...row, billed: 0n, effective: amortised });
    if (day === monthStart(day)) {
      // The monthly reservation charge, on the 1st: billed in full, effective 0 (the usage rows carry it).
      const p = baseRow(day, r);
      const total = fromNanos(spec.monthlyReservationNanos * BigInt(reserved));
      Object.assign(p, commitment, {
        ChargeCategory: 'Purchase',
        ChargeFrequency: 'Recurring',
        PricingCategory: 'Committed',
        ChargePeriodEnd: ts(nextMonth(day)),
        ServiceName: 'Azure AI Services',
        ServiceCategory: 'AI and Machine Learning',
        ServiceSubcategory: 'AI Platforms',
        SkuMeter: `${meter} - 1 Month Reservation`,
        ChargeDescription: 'Azure AI Foundry Provisioned Throughput Reservation - Global, 1 month',
        x_SkuMeterCategory: 'Foundry Models',
        x_SkuMeterSubcategory: 'Azure AI Foundry Provisioned Throughput Reservation',
        x_SkuDescription: 'Azure AI Foundry Provisioned Throughput Reservation',
        PricingQuantity: String(reserved),
        PricingUnit: 'Units',
        x_PricingBlockSize: '1',
        x_PricingUnitDescription: '1/Month',
        CommitmentDiscountQuantity: String(reserved * 24 * daysInMonth(day)),
        ListUnitPrice: decimal(spec.monthlyReservationNanos, 9),
        ContractedUnitPrice: decimal(spec.monthlyReservationNanos, 9),
        PricingCurrencyListUnitPrice: decimal(spec.monthlyReservationNanos, 9),
        PricingCurrencyContractedUnitPrice: decimal(spec.monthlyReservationNanos, 9),
        ListCost: decimal(total),
        ContractedCost: decimal(total),
        BilledCost: decimal(total),
        EffectiveCost: '0',
        PricingCurrencyEffectiveCost: '0',
        SkuId: stableId('sku', 'ptu-reservation-1m'),
        SkuPriceId: stableId('skuprice', 'ptu-reservation-1m'),
      });
      out.push({ csv: p, billed: total, effective: 0n, list: total });
    }
  }
  return out;
}

/** Builds every export row for [startMs, startMs + days) from the stored demo usage. */
export async function buildExportRows(store: CostStore, startMs: number, days: number): Promise<ExportRow[]> {
  const endMs = startMs + days * DAY;
  const tokens = await store.tokensByDay({ from: new Date(startMs), to: new Date(endMs) }, 'demo-');
  const byDay = new Map<string, ExportRow[]>();
  const push = (day: string, rows: ExportRow[]) => byDay.set(day, [...(byDay.get(day) ?? []), ...rows]);
  for (const r of tokens) {
    const t: TokenDay = { ...r };
    if (
      t.account === GATEWAY_BYPASS.account &&
      t.model === GATEWAY_BYPASS.model &&
      t.type === GATEWAY_BYPASS.type
    ) {
      // A notebook calls the same deployment with a raw Azure key: billed, never metered by the gateway.
      const weekday = ![0, 6].includes(new Date(ts(t.day)).getUTCDay());
      if (weekday) {
        t.uncached += GATEWAY_BYPASS.inputTokensPerWeekday;
        t.output += GATEWAY_BYPASS.outputTokensPerWeekday;
      }
    }
    push(t.day, tokenRows(t));
  }
  const hosting = fineTunedHostingPerHour();
  for (let d = 0; d < days; d++) {
    const day = isoDay(startMs + d * DAY);
    const at = new Date(ts(day));
    const rows: ExportRow[] = [];
    for (const dep of DEPLOYMENTS) {
      if (dep.type === 'provisioned') rows.push(...ptuRows(day, dep));
      if (dep.type === 'fine-tuned') {
        // Hosting bills every hour the fine-tuned model stays deployed, traffic or not.
        const meter = `${resolveModel(dep.model).family} FT Deployment Hosting Unit`;
        rows.push(
          hourlyRow(day, aoaiResource(`aoai-${dep.owner}-prod`), meter, 24, hosting.priceNanos, {
            ...AOAI_SVC,
            meterSub: 'Azure OpenAI PP FT',
          }),
        );
      }
    }
    for (const [env, sku, units] of [
      ['prod', 'S1', 3],
      ['nonprod', 'Basic', 1],
    ] as const) {
      const price = lookupServicePrice({ service: 'ai-search', sku, at });
      const name = `srch-search-${env}`;
      const r: Resource = {
        id: `/subscriptions/${SUBSCRIPTIONS[env]!}/resourcegroups/rg-search-${env}/providers/microsoft.search/searchservices/${name}`,
        name,
        group: `rg-search-${env}`,
        env,
        team: 'search',
        armType: 'microsoft.search/searchservices',
      };
      rows.push(
        hourlyRow(day, r, `${sku === 'S1' ? 'Standard S1' : 'Basic'} Unit`, units * 24, price.priceNanos, {
          name: 'Azure AI Search',
          category: 'Analytics',
          sub: 'Search',
          meterCategory: 'Azure Cognitive Search',
          meterSub: 'Azure AI Search',
        }),
      );
    }
    push(day, rows);
  }
  return [...byDay.keys()].sort().flatMap((k) => byDay.get(k)!);
}

/** RFC 4180 CSV text of the export rows (header first). */
export function exportCsv(rows: readonly ExportRow[]): string {
  return toCsv(
    EXPORT_COLUMNS,
    rows.map((r) => r.csv),
    { eol: '\n' },
  );
}
