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
import { stableId } from '../core/index.js';
import type { CostStore } from '../store/index.js';
import {
  DEMO_REGION,
  DEPLOYMENTS,
  NEGOTIATED_DISCOUNT_PERCENT,
  costCenterOf,
  type DemoDeployment,
} from './_org.js';
import { decimal, fromNanos, scale, tokensCost, type Deci } from './_money.js';

/** One export line: CSV columns plus the x_Ai* classification that goes only into the store. */
export interface ExportRow {
  readonly csv: Record<string, string | null>;
  readonly ai: {
    provider: string;
    model: string | null;
    tokenType: string;
    deploymentType: string | null;
    service: string;
  };
  readonly billed: Deci;
  readonly effective: Deci;
  readonly list: Deci;
}

/** Columns of the CSV, in order: FOCUS 1.2 then the Azure x_ columns it carries. */
export const EXPORT_COLUMNS = [
  'AvailabilityZone',
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingAccountType',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'CapacityReservationId',
  'CapacityReservationStatus',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'CommitmentDiscountCategory',
  'CommitmentDiscountId',
  'CommitmentDiscountName',
  'CommitmentDiscountQuantity',
  'CommitmentDiscountStatus',
  'CommitmentDiscountType',
  'CommitmentDiscountUnit',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedCost',
  'ContractedUnitPrice',
  'EffectiveCost',
  'InvoiceId',
  'InvoiceIssuerName',
  'ListCost',
  'ListUnitPrice',
  'PricingCategory',
  'PricingCurrency',
  'PricingCurrencyContractedUnitPrice',
  'PricingCurrencyEffectiveCost',
  'PricingCurrencyListUnitPrice',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'RegionId',
  'RegionName',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'ServiceCategory',
  'ServiceName',
  'ServiceSubcategory',
  'SkuId',
  'SkuMeter',
  'SkuPriceDetails',
  'SkuPriceId',
  'SubAccountId',
  'SubAccountName',
  'SubAccountType',
  'Tags',
  'x_ResourceGroupName',
  'x_ResourceType',
  'x_SkuMeterCategory',
  'x_SkuMeterSubcategory',
  'x_PricingBlockSize',
  'x_PricingUnitDescription',
  'x_SkuDescription',
] as const;

const DAY = 86_400_000;
const BILLING_ACCOUNT = '/providers/Microsoft.Billing/billingAccounts/8611537';
const SUBSCRIPTIONS: Record<string, string> = {
  prod: '0b1f6e2a-5d3c-4a7e-9f21-6c8d4e3b2a10',
  nonprod: '7c2d9e4f-1a6b-4c3d-8e5f-2b9a7d6c5e41',
};
const RESERVATION_ORDER = '5a8e3c1d-2b7f-4e9a-a6d4-3f1c8b2e7d90';
const KEEP = (100 - NEGOTIATED_DISCOUNT_PERCENT).toString();

/** Daily token totals of one account x model x deployment type (from the stored usage). */
interface TokenDay {
  day: string;
  account: string;
  env: string;
  model: string;
  type: string;
  uncached: bigint;
  cached: bigint;
  output: bigint;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const ts = (day: string) => `${day}T00:00:00Z`;
const nextDay = (day: string) => isoDay(Date.parse(ts(day)) + DAY);
const monthStart = (day: string) => `${day.slice(0, 7)}-01`;
function nextMonth(day: string): string {
  const d = new Date(ts(monthStart(day)));
  return isoDay(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
}
const daysInMonth = (day: string) =>
  Math.round((Date.parse(ts(nextMonth(day))) - Date.parse(ts(monthStart(day)))) / DAY);

interface Resource {
  id: string;
  name: string;
  group: string;
  env: string;
  team: string;
  armType: string;
}

function aoaiResource(account: string): Resource {
  const [, team = 'platform', env = 'prod'] = account.split('-');
  const group = `rg-${team}-${env}`;
  return {
    id: `/subscriptions/${SUBSCRIPTIONS[env] ?? SUBSCRIPTIONS['prod']!}/resourcegroups/${group}/providers/microsoft.cognitiveservices/accounts/${account}`,
    name: account,
    group,
    env,
    team,
    armType: 'microsoft.cognitiveservices/accounts',
  };
}

function baseRow(day: string, r: Resource): Record<string, string | null> {
  const row: Record<string, string | null> = Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, null]));
  const tags: Record<string, string> = { team: r.team, env: r.env, 'cost-center': costCenterOf(r.team) };
  Object.assign(row, {
    BillingAccountId: BILLING_ACCOUNT,
    BillingAccountName: 'Contoso Demo (EA)',
    BillingAccountType: 'Billing Account',
    BillingCurrency: 'USD',
    PricingCurrency: 'USD',
    BillingPeriodStart: ts(monthStart(day)),
    BillingPeriodEnd: ts(nextMonth(day)),
    ChargePeriodStart: ts(day),
    ChargePeriodEnd: ts(nextDay(day)),
    ChargeCategory: 'Usage',
    ChargeFrequency: 'Usage-Based',
    PricingCategory: 'Standard',
    InvoiceIssuerName: 'Microsoft',
    ProviderName: 'Microsoft',
    PublisherName: 'Microsoft',
    RegionId: DEMO_REGION,
    RegionName: 'East US 2',
    ResourceId: r.id,
    ResourceName: r.name,
    ResourceType: r.armType.endsWith('searchservices') ? 'Search service' : 'Azure AI services',
    SubAccountId: `/subscriptions/${SUBSCRIPTIONS[r.env] ?? SUBSCRIPTIONS['prod']!}`,
    SubAccountName: `contoso-ai-${r.env}`,
    SubAccountType: 'Subscription',
    Tags: JSON.stringify(tags),
    x_ResourceGroupName: r.group,
    x_ResourceType: r.armType,
  });
  return row;
}

/** Fills the price and cost columns of a pay-as-you-go line (EA discount applied) and returns the export row. */
function payg(
  row: Record<string, string | null>,
  ai: ExportRow['ai'],
  q: {
    quantity: string;
    unitPrice: string;
    contractedUnitPrice: string;
    list: Deci;
    unit: string;
    block: string;
    unitDesc: string;
    consumed: string;
    consumedUnit: string;
  },
): ExportRow {
  const effective = scale(q.list, BigInt(KEEP), 100n);
  Object.assign(row, {
    PricingQuantity: q.quantity,
    PricingUnit: q.unit,
    x_PricingBlockSize: q.block,
    x_PricingUnitDescription: q.unitDesc,
    ConsumedQuantity: q.consumed,
    ConsumedUnit: q.consumedUnit,
    ListUnitPrice: q.unitPrice,
    PricingCurrencyListUnitPrice: q.unitPrice,
    ContractedUnitPrice: q.contractedUnitPrice,
    PricingCurrencyContractedUnitPrice: q.contractedUnitPrice,
    ListCost: decimal(q.list),
    ContractedCost: decimal(effective),
    EffectiveCost: decimal(effective),
    PricingCurrencyEffectiveCost: decimal(effective),
    BilledCost: decimal(effective),
  });
  row['SkuId'] = stableId('sku', row['SkuMeter'] ?? '');
  row['SkuPriceId'] = stableId('skuprice', row['SkuMeter'] ?? '', row['PricingCategory'] ?? '');
  return { csv: row, ai, billed: effective, effective, list: q.list };
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
      payg(
        row,
        {
          provider: 'azure',
          model: m.family,
          tokenType: dir,
          deploymentType: t.type === 'fine-tuned' ? 'regional' : t.type,
          service: 'openai',
        },
        {
          quantity: decimal(tokens, 3),
          unitPrice: decimal(perM, 12),
          contractedUnitPrice: decimal(perM * BigInt(KEEP), 14),
          list: tokensCost(tokens, perM),
          unit: 'Units',
          block: '1000',
          unitDesc: '1K',
          consumed: tokens.toString(),
          consumedUnit: 'Tokens',
        },
      ),
    );
  }
  return out;
}

function hourlyRow(
  day: string,
  r: Resource,
  meter: string,
  hours: number,
  perHourNanos: bigint,
  ai: ExportRow['ai'],
  svc: { name: string; category: string; sub: string; meterCategory: string; meterSub: string },
): ExportRow {
  const row = baseRow(day, r);
  Object.assign(row, {
    ServiceName: svc.name,
    ServiceCategory: svc.category,
    ServiceSubcategory: svc.sub,
    SkuMeter: meter,
    ChargeDescription: `${svc.meterSub} - ${meter}`,
    x_SkuMeterCategory: svc.meterCategory,
    x_SkuMeterSubcategory: svc.meterSub,
    x_SkuDescription: `${svc.meterSub} ${meter}`,
  });
  return payg(row, ai, {
    quantity: String(hours),
    unitPrice: decimal(perHourNanos, 9),
    contractedUnitPrice: decimal(perHourNanos * BigInt(KEEP), 11),
    list: fromNanos(perHourNanos * BigInt(hours)),
    unit: 'Hours',
    block: '1',
    unitDesc: '1 Hour',
    consumed: String(hours),
    consumedUnit: 'Hours',
  });
}

const AOAI_SVC = {
  name: 'Azure AI Services',
  category: 'AI and Machine Learning',
  sub: 'AI Platforms',
  meterCategory: 'Foundry Models',
  meterSub: 'Azure OpenAI',
};

function ptuRows(day: string, d: DemoDeployment): ExportRow[] {
  const spec = lookupPtuSpec({ model: d.model, deployment: 'provisioned', at: new Date(ts(day)) });
  if (!spec || !d.ptu) return [];
  const r = aoaiResource(`aoai-${d.owner}-prod`);
  const reserved = d.reservedPtu ?? 0;
  const meter = 'Provisioned Managed Global Unit';
  const out: ExportRow[] = [];
  const ai = (deploymentType: string) => ({
    provider: 'azure',
    model: resolveModel(d.model).family,
    tokenType: 'none',
    deploymentType,
    service: 'openai',
  });
  const reservationId = `/providers/microsoft.capacity/reservationorders/${RESERVATION_ORDER}/reservations/${stableId('ptu-reservation', d.name).slice(0, 8)}`;
  const commitment = {
    CommitmentDiscountId: reservationId,
    CommitmentDiscountName: `ptu-global-${d.name}-1m`,
    CommitmentDiscountCategory: 'Usage',
    CommitmentDiscountType: 'Reservation',
    CommitmentDiscountUnit: 'PTU',
  };
  if (d.ptu > reserved)
    out.push(
      hourlyRow(day, r, meter, (d.ptu - reserved) * 24, spec.hourlyNanos, ai('provisioned'), AOAI_SVC),
    );
  if (reserved > 0) {
    // Reserved PTU-hours: billed 0 on the day (the purchase carries the money), amortised into EffectiveCost.
    const hours = reserved * 24;
    const row = hourlyRow(day, r, meter, hours, spec.hourlyNanos, ai('provisioned'), AOAI_SVC);
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
      out.push({ csv: p, ai: ai('provisioned-reservation'), billed: total, effective: 0n, list: total });
    }
  }
  return out;
}

/** Builds every export row for [startMs, startMs + days) from the stored demo usage. */
export async function buildExportRows(store: CostStore, startMs: number, days: number): Promise<ExportRow[]> {
  const endMs = startMs + days * DAY;
  const tokens = await store.query(
    `SELECT strftime(start_time AT TIME ZONE 'UTC', '%Y-%m-%d') AS day, upstream AS account, environment AS env, model,
       deployment_type AS type, sum(input_tokens - cached_input_tokens)::VARCHAR AS uncached,
       sum(cached_input_tokens)::VARCHAR AS cached, sum(output_tokens)::VARCHAR AS output
     FROM usage_events
     WHERE id LIKE 'demo-%' AND http_status < 400 AND deployment_type <> 'provisioned'
       AND start_time >= $1 AND start_time < $2
     GROUP BY ALL ORDER BY ALL`,
    [new Date(startMs), new Date(endMs)],
  );
  const byDay = new Map<string, ExportRow[]>();
  const push = (day: string, rows: ExportRow[]) => byDay.set(day, [...(byDay.get(day) ?? []), ...rows]);
  for (const r of tokens) {
    const t: TokenDay = {
      day: String(r['day']),
      account: String(r['account']),
      env: String(r['env']),
      model: String(r['model']),
      type: String(r['type']),
      uncached: BigInt(String(r['uncached'])),
      cached: BigInt(String(r['cached'])),
      output: BigInt(String(r['output'])),
    };
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
          hourlyRow(
            day,
            aoaiResource(`aoai-${dep.owner}-prod`),
            meter,
            24,
            hosting.priceNanos,
            {
              provider: 'azure',
              model: resolveModel(dep.model).family,
              tokenType: 'none',
              deploymentType: 'fine-tune-hosting',
              service: 'openai',
            },
            { ...AOAI_SVC, meterSub: 'Azure OpenAI PP FT' },
          ),
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
        hourlyRow(
          day,
          r,
          `${sku === 'S1' ? 'Standard S1' : 'Basic'} Unit`,
          units * 24,
          price.priceNanos,
          { provider: 'azure', model: null, tokenType: 'none', deploymentType: null, service: 'ai-search' },
          {
            name: 'Azure AI Search',
            category: 'Analytics',
            sub: 'Search',
            meterCategory: 'Azure Cognitive Search',
            meterSub: 'Azure AI Search',
          },
        ),
      );
    }
    push(day, rows);
  }
  return [...byDay.keys()].sort().flatMap((k) => byDay.get(k)!);
}

/** RFC 4180 CSV text of the export rows (header first). */
export function exportCsv(rows: readonly ExportRow[]): string {
  const q = (v: string | null) => (v === null ? '' : /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [EXPORT_COLUMNS.join(',')];
  for (const r of rows) lines.push(EXPORT_COLUMNS.map((c) => q(r.csv[c] ?? null)).join(','));
  return lines.join('\n') + '\n';
}
