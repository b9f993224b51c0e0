/**
 * reconcile: the gateway's metered cost against the cost export, per deployment, model or day, with the
 * variance broken into the parts we can name (hourly PTU/hosting, reservation purchases, negotiated discount,
 * traffic that bypassed the gateway) and the rest flagged when it is large.
 */
import { parseUsd, type Nanos } from '../../core/index.js';
import { normalizeModel, usageMatcher, type CostRow, type UsageMatch } from '../allocate/index.js';

/** Ledger usage of one deployment/model/type on one UTC day. */
export interface MeteredUsage {
  readonly upstream: string | null;
  readonly deployment: string | null;
  readonly model: string;
  readonly deploymentType: string;
  readonly day: string;
  readonly requests: number;
  readonly inputTokens: bigint;
  readonly outputTokens: bigint;
  readonly costNanos: Nanos;
  readonly listCostNanos: Nanos;
  readonly priceVersions: readonly string[];
}

/** How rows are grouped. */
export type ReconcileBy = 'deployment' | 'model' | 'day';

/** One named part of a variance. */
export interface VarianceComponent {
  readonly kind:
    | 'capacity-hours'
    | 'reservation-purchase'
    | 'negotiated-discount'
    | 'bypassed-gateway'
    | 'price-change'
    | 'not-in-export';
  readonly nanos: Nanos;
  readonly detail: string;
}

/** One reconciled line. */
export interface ReconcileLine {
  readonly key: string;
  readonly requests: number;
  readonly tokens: bigint;
  readonly meteredNanos: Nanos;
  readonly meteredListNanos: Nanos;
  readonly billedNanos: Nanos;
  readonly effectiveNanos: Nanos;
  readonly listNanos: Nanos | null;
  /** billed - metered. */
  readonly varianceNanos: Nanos;
  readonly components: readonly VarianceComponent[];
  readonly unexplainedNanos: Nanos;
  readonly flagged: boolean;
  readonly explanation: string;
}

/** Flag when the unexplained part is at least this fraction of max(billed, metered) and at least a cent. */
export interface ReconcileOptions {
  readonly by: ReconcileBy;
  readonly thresholdPct: number;
}

const TIME_BASED = new Set(['provisioned', 'fine-tune-hosting', 'fine-tune-training']);
const CENT = 10_000_000n;

interface Acc {
  requests: number;
  tokens: bigint;
  m: Nanos;
  ml: Nanos;
  mTime: Nanos;
  b: Nanos;
  e: Nanos;
  bTime: Nanos;
  bPurchase: Nanos;
  bTok: Nanos;
  lTok: Nanos;
  listKnown: boolean;
  list: Nanos;
  commitment: boolean;
  versions: Set<string>;
  rows: number;
  ptu: boolean;
}

const newAcc = (): Acc => ({
  requests: 0,
  tokens: 0n,
  m: 0n,
  ml: 0n,
  mTime: 0n,
  b: 0n,
  e: 0n,
  bTime: 0n,
  bPurchase: 0n,
  bTok: 0n,
  lTok: 0n,
  listKnown: true,
  list: 0n,
  commitment: false,
  versions: new Set(),
  rows: 0,
  ptu: false,
});

const dec = (v: string | null | undefined): Nanos => (v ? parseUsd(v) : 0n);

/** The key a cost row reconciles under, and the usage it matched. */
function rowKey(
  row: CostRow,
  by: ReconcileBy,
  metered: readonly MeteredUsage[],
  match: (row: CostRow) => UsageMatch,
): { key: string; usage: readonly number[] } {
  const v = row.values;
  if (by === 'day') return { key: (v['ChargePeriodStart'] ?? '').slice(0, 10), usage: [] };
  const m = match(row);
  if (by === 'model') {
    if (v['x_AiModel']) return { key: normalizeModel(v['x_AiModel']), usage: [] };
    const first = m.usage[0];
    if (first !== undefined) return { key: normalizeModel(metered[first]!.model), usage: [] };
    return { key: v['ServiceName'] ?? v['ResourceName'] ?? '(unknown)', usage: [] };
  }
  const deps = new Set(m.usage.map((i) => usageKey(metered[i]!, 'deployment')));
  if (deps.size === 1) return { key: [...deps][0]!, usage: [] };
  // Several deployments behind one charge (an account-level meter): reconcile them together under its name.
  return { key: v['ResourceName'] ?? v['x_AiModel'] ?? v['ServiceName'] ?? '(unknown)', usage: m.usage };
}

function usageKey(u: MeteredUsage, by: ReconcileBy): string {
  if (by === 'day') return u.day;
  if (by === 'model') return normalizeModel(u.model);
  return u.deployment ?? `model:${u.model}`;
}

/** Reconciles one period. */
export function reconcile(
  rows: readonly CostRow[],
  metered: readonly MeteredUsage[],
  opts: ReconcileOptions,
): ReconcileLine[] {
  const accs = new Map<string, Acc>();
  const get = (k: string) => {
    let a = accs.get(k);
    if (!a) accs.set(k, (a = newAcc()));
    return a;
  };
  const match = usageMatcher(metered);
  const keyed = rows.map((r) => rowKey(r, opts.by, metered, match));
  const override = new Map<number, string>();
  keyed.forEach((k) => k.usage.forEach((i) => override.has(i) || override.set(i, k.key)));
  metered.forEach((u, i) => {
    const a = get(override.get(i) ?? usageKey(u, opts.by));
    a.requests += u.requests;
    a.tokens += u.inputTokens + u.outputTokens;
    a.m += u.costNanos;
    a.ml += u.listCostNanos;
    // PTU traffic is paid for by the hour; fine-tuned inference is still billed per token.
    if (u.deploymentType === 'provisioned') a.mTime += u.costNanos;
    for (const pv of u.priceVersions) a.versions.add(pv);
  });
  rows.forEach((row, idx) => {
    const v = row.values;
    const a = get(keyed[idx]!.key);
    const billed = dec(v['BilledCost']);
    a.rows++;
    a.b += billed;
    a.e += dec(v['EffectiveCost'] ?? v['BilledCost']);
    if (v['ListCost'] === null || v['ListCost'] === undefined) a.listKnown = false;
    a.list += dec(v['ListCost']);
    if (v['CommitmentDiscountId']) a.commitment = true;
    const dt = v['x_AiDeploymentType'] ?? '';
    if (v['ChargeCategory'] === 'Purchase' || dt === 'provisioned-reservation') a.bPurchase += billed;
    else if (TIME_BASED.has(dt) || v['x_AiTokenType'] === 'none') {
      a.bTime += billed;
      if (TIME_BASED.has(dt)) a.ptu = true;
    } else {
      a.bTok += billed;
      a.lTok += dec(v['ListCost']);
    }
  });
  const lines = [...accs.entries()].map(([key, a]) => explain(key, a, opts));
  return lines.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

function usd(n: Nanos): string {
  const neg = n < 0n;
  const abs = neg ? -n : n;
  const cents = (abs + CENT / 2n) / CENT;
  return `${neg ? '-' : ''}$${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
}

function pct(part: Nanos, whole: Nanos): string {
  if (whole === 0n) return '';
  return `${(Number((part * 10_000n) / whole) / 100).toFixed(1)}%`;
}

function explain(key: string, a: Acc, opts: ReconcileOptions): ReconcileLine {
  const absOf = (n: Nanos) => (n < 0n ? -n : n);
  const comps: VarianceComponent[] = [];
  const mTok = a.m - a.mTime;
  const mlTok = a.ml - a.mTime;
  if (a.bTime !== 0n || a.mTime !== 0n)
    comps.push({
      kind: 'capacity-hours',
      nanos: a.bTime - a.mTime,
      detail: a.ptu
        ? `provisioned throughput or fine-tune hosting billed by the hour (${usd(a.bTime)}), not per token`
        : `non-token charges billed by unit or hour, e.g. search units (${usd(a.bTime)}); the gateway does not meter them`,
    });
  if (a.bPurchase !== 0n)
    comps.push({
      kind: 'reservation-purchase',
      nanos: a.bPurchase,
      detail: `reservation purchase billed up front (${usd(a.bPurchase)}); usage it covers is billed at $0`,
    });
  const vTok = a.bTok - mTok;
  if (a.rows === 0 && a.m !== 0n) {
    comps.push({
      kind: 'not-in-export',
      nanos: -a.m,
      detail: `gateway usage with no charge in this export (billed on another invoice or provider, or not billed yet)`,
    });
  } else if (mTok === 0n && a.bTok !== 0n) {
    comps.push({
      kind: 'bypassed-gateway',
      nanos: a.bTok,
      detail: `${usd(a.bTok)} of token charges with no gateway traffic: calls bypassed the gateway`,
    });
  } else if (a.lTok > 0n && vTok !== 0n) {
    const volume = a.lTok - mlTok;
    let rate = vTok - volume;
    // Same discount on both sides: the rate part is only that discount on the extra volume, so fold it in.
    const sameDiscount =
      mlTok > 0n && absOf((a.lTok - a.bTok) * mlTok - (mlTok - mTok) * a.lTok) * 200n <= a.lTok * mlTok;
    let extra = volume;
    if (volume > 0n && sameDiscount && a.versions.size <= 1) {
      extra = volume + rate;
      rate = 0n;
    }
    if (rate !== 0n) {
      const what = a.commitment ? 'negotiated discount or commitment' : 'negotiated discount';
      comps.push({
        kind: 'negotiated-discount',
        nanos: rate,
        detail:
          rate < 0n
            ? `${what}: billed ${pct(a.lTok - a.bTok, a.lTok)} below list, the ledger priced ${pct(mlTok - mTok, mlTok) || '0%'} below list`
            : `billed above the ledger's effective price by ${usd(rate)}`,
      });
    }
    if (volume > 0n) {
      const kind = a.versions.size > 1 ? 'price-change' : 'bypassed-gateway';
      const billedPart = extra !== volume ? `, ${usd(extra)} as billed after the discount` : '';
      const detail =
        a.versions.size > 1
          ? `list cost differs by ${usd(volume)} and the ledger used ${a.versions.size} price versions (${[...a.versions].join(', ')}): price change`
          : `${usd(volume)} at list (${pct(volume, a.lTok)} of billed usage${billedPart}) has no matching gateway traffic: calls bypassed the gateway`;
      comps.push({ kind, nanos: extra, detail });
    }
  } else if (a.lTok === 0n && vTok < 0n && a.bTok > 0n && -vTok * 2n <= mTok) {
    comps.push({
      kind: 'negotiated-discount',
      nanos: vTok,
      detail: `billed ${pct(-vTok, mTok)} below metered; the export has no list cost, so this is taken to be a negotiated discount`,
    });
  }
  const variance = a.b - a.m;
  const explained = comps.reduce((s, c) => s + c.nanos, 0n);
  const unexplained = variance - explained;
  const base = absOf(a.b) > absOf(a.m) ? absOf(a.b) : absOf(a.m);
  const abs = absOf(unexplained);
  const limit = (BigInt(Math.round(opts.thresholdPct * 1e6)) * base) / 1_000_000n;
  const flagged = abs >= CENT && abs >= limit;
  // Parts under half a cent are rounding, not news; a discount the ledger already applies is said in words.
  const parts = comps
    .filter((c) => absOf(c.nanos) * 2n >= CENT || c.kind === 'price-change')
    .map((c) => `${c.detail} [${usd(c.nanos)}]`);
  if (flagged)
    parts.unshift(
      `UNEXPLAINED variance ${usd(unexplained)} (${pct(abs, base)} of cost): check retries, missing usage or prices`,
    );
  else if (abs >= CENT) parts.push(`small unexplained remainder ${usd(unexplained)}`);
  const known =
    a.lTok > a.bTok && a.bTok > 0n
      ? ` (negotiated discount of ${pct(a.lTok - a.bTok, a.lTok)} off list, already in the ledger's prices)`
      : '';
  const explanation = parts.length === 0 ? `metered matches billed${known}` : parts.join('; ');
  return {
    key,
    requests: a.requests,
    tokens: a.tokens,
    meteredNanos: a.m,
    meteredListNanos: a.ml,
    billedNanos: a.b,
    effectiveNanos: a.e,
    listNanos: a.listKnown && a.rows > 0 ? a.list : null,
    varianceNanos: variance,
    components: comps,
    unexplainedNanos: unexplained,
    flagged,
    explanation,
  };
}
