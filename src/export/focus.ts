/**
 * FOCUS export of allocated AI costs: each cost row is split into one row per consumer piece, with the cost and
 * quantity columns split exactly (largest remainder) and the FOCUS 1.3 Allocated* columns saying who and how.
 * Ledger-only usage is not exported: it is not on this invoice.
 */
import { monthWindow, nanosToDecimalString, parseUsd, splitNanos, type Nanos } from '../core/index.js';
import { FOCUS_COLUMNS, FOCUS_COLUMN_NAMES, FOCUS_SERVICE_CATEGORIES } from '../store/index.js';
import {
  dimensionValue,
  parseJsonObject,
  type AllocationPiece,
  type ConsumerDimension,
  type PeriodAllocation,
} from '../analytics/index.js';

/** Columns of the export file: every canonical FOCUS/x_ column, in order. */
export const FOCUS_EXPORT_COLUMNS: readonly string[] = FOCUS_COLUMN_NAMES;

const SPLIT_COLUMNS = FOCUS_COLUMNS.filter((c) => c.type === 'money' || c.type === 'quantity').map(
  (c) => c.name,
);

const METHOD_ID: Record<AllocationPiece['method'], string> = {
  direct: 'tally-direct-token-share',
  ledger: 'tally-ledger',
  tag: 'tally-resource-tag',
  tokens: 'tally-token-share',
  even: 'tally-even',
  fixed: 'tally-fixed-shares',
  none: 'tally-unallocated',
};

/** Builds the FOCUS rows of a period's allocation (text values, null for empty). */
export function focusExportRows(
  pa: PeriodAllocation,
  by: ConsumerDimension,
  unallocatedLabel: string,
): Record<string, string | null>[] {
  const byRow = new Map<number, AllocationPiece[]>();
  for (const p of pa.result.pieces) {
    if (p.rowIndex === null) continue;
    const list = byRow.get(p.rowIndex) ?? [];
    list.push(p);
    byRow.set(p.rowIndex, list);
  }
  const month = monthWindow(pa.period);
  const out: Record<string, string | null>[] = [];
  for (const row of pa.rows) {
    const pieces = byRow.get(row.index) ?? [];
    const base = withMandatoryDefaults(row.values, month);
    const weights = pieces.map((p) => (p.nanos < 0n ? -p.nanos : p.nanos));
    const split = new Map<string, Nanos[]>();
    for (const col of SPLIT_COLUMNS) {
      const v = base[col];
      if (v !== null && v !== undefined) split.set(col, splitNanos(parseUsd(v), weights));
    }
    pieces.forEach((p, i) => {
      const r: Record<string, string | null> = { ...base };
      for (const [col, parts] of split) r[col] = nanosToDecimalString(parts[i]!);
      Object.assign(r, allocatedColumns(p, by, unallocatedLabel));
      out.push(r);
    });
  }
  return out;
}

function allocatedColumns(
  p: AllocationPiece,
  by: ConsumerDimension,
  unallocatedLabel: string,
): Record<string, string> {
  const name = p.consumer ? (dimensionValue(p.consumer, by) ?? '(unassigned)') : unallocatedLabel;
  const tags: Record<string, string> = {};
  if (p.consumer) {
    const c = p.consumer;
    for (const [k, v] of Object.entries({
      team: c.team,
      costCenter: c.costCenter,
      app: c.app,
      environment: c.environment,
    }))
      if (v !== null) tags[k] = v;
  } else tags['allocation'] = 'unallocated';
  return {
    AllocatedMethodId: METHOD_ID[p.method],
    AllocatedMethodDetails: JSON.stringify({ kind: p.kind, rule: p.rule, basis: p.reason, dimension: by }),
    AllocatedResourceId: `${p.consumer ? by : 'unallocated'}/${name}`,
    AllocatedResourceName: name,
    AllocatedTags: JSON.stringify(tags),
  };
}

/**
 * Fills FOCUS 1.2 mandatory columns an upstream export left empty, the way the FinOps toolkit does
 * (ContractedCost = EffectiveCost, ListCost = ContractedCost, billing period = the calendar month).
 */
function withMandatoryDefaults(
  v: Readonly<Record<string, string | null>>,
  month: { from: Date; to: Date },
): Record<string, string | null> {
  const r: Record<string, string | null> = { ...v };
  const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
  r['BillingCurrency'] ??= 'USD';
  r['BilledCost'] ??= r['EffectiveCost'] ?? '0';
  r['EffectiveCost'] ??= r['BilledCost'];
  r['ContractedCost'] ??= r['EffectiveCost'];
  r['ListCost'] ??= r['ContractedCost'];
  r['BillingPeriodStart'] ??= iso(month.from);
  r['BillingPeriodEnd'] ??= iso(month.to);
  r['ChargeCategory'] ??= 'Usage';
  if (r['ChargePeriodEnd'] === null && r['ChargePeriodStart'])
    r['ChargePeriodEnd'] = iso(new Date(Date.parse(r['ChargePeriodStart']) + 86_400_000));
  r['ChargeFrequency'] ??= r['ChargeCategory'] === 'Purchase' ? 'One-Time' : 'Usage-Based';
  r['ServiceCategory'] ??= 'AI and Machine Learning';
  r['ServiceName'] ??= r['x_AiService'] ?? 'AI';
  r['ProviderName'] ??= r['x_AiProvider'] ?? r['InvoiceIssuerName'] ?? 'Unknown';
  r['PublisherName'] ??= r['ProviderName'];
  r['InvoiceIssuerName'] ??= r['ProviderName'];
  r['BillingAccountId'] ??= 'unknown';
  // Repairs a FOCUS reader would reject, none of which changes an amount.
  if (r['ChargeCategory'] === 'Purchase' && r['ChargeFrequency'] === 'Usage-Based')
    r['ChargeFrequency'] = 'One-Time';
  if (
    r['ChargePeriodStart'] &&
    r['ChargePeriodEnd'] &&
    Date.parse(r['ChargePeriodEnd']) < Date.parse(r['ChargePeriodStart'])
  )
    r['ChargePeriodEnd'] = r['ChargePeriodStart'];
  if (!SERVICE_CATEGORIES.has(r['ServiceCategory'] ?? '')) r['ServiceCategory'] = 'Other';
  if (r['BillingCurrency'] && !/^[A-Z]{3}$/.test(r['BillingCurrency']))
    r['BillingCurrency'] = r['BillingCurrency'].trim().toUpperCase();
  for (const col of JSON_COLUMNS) {
    const v = r[col];
    if (v === null || v === undefined) continue;
    const obj = parseJsonObject(v);
    r[col] = Object.keys(obj).length > 0 || v.trim() === '{}' ? JSON.stringify(obj) : null;
  }
  return r;
}

/** FOCUS 1.2 ServiceCategory values. */
const SERVICE_CATEGORIES = new Set(FOCUS_SERVICE_CATEGORIES);

// Key-value (JSON object) columns; Azure writes Tags without braces, which parseJsonObject repairs.
const JSON_COLUMNS = FOCUS_COLUMNS.filter((c) => c.type === 'json').map((c) => c.name);
