/**
 * allocateCosts: gives every nano of a period's AI spend to a consumer or to "unallocated". Direct token
 * charges go to the teams whose gateway traffic caused them (at the export's effective cost); shared and fixed
 * charges (PTU hours, reservations, hosting, search units) follow the configured rules. Every split uses
 * largest-remainder integer nanos, so the pieces of a row always add up to the row.
 */
import { parseUsd, splitNanos, sumNanos, type Nanos } from '../../core/index.js';
import { consumerFromTags, firstMatchingRule, usageMatcher, type UsageMatch } from './_match.js';
import {
  consumerKey,
  consumerWith,
  dimensionValue,
  usageWeight,
  weightsByConsumer,
  type TokenWeighting,
} from './_consumers.js';
import type {
  AllocationPiece,
  AllocationResult,
  AllocationRule,
  AllocationSettings,
  ConsumerUsage,
  CostRow,
} from './_types.js';

const TOKEN_TYPES = new Set(['input', 'cached-input', 'output']);
// Charges billed by time or capacity, never per token: they are shared costs, not direct ones.
const TIME_BASED = new Set([
  'provisioned',
  'provisioned-reservation',
  'fine-tune-hosting',
  'fine-tune-training',
]);

/** Cost of a row as the company really paid it: EffectiveCost (amortised), else BilledCost, in nanos. */
export function rowCostNanos(row: CostRow): Nanos {
  const text = row.values['EffectiveCost'] ?? row.values['BilledCost'];
  return text ? parseUsd(text) : 0n;
}

/** True for per-token charges (input, cached input, output) that gateway traffic can explain directly. */
export function isTokenRow(row: CostRow): boolean {
  const tt = row.values['x_AiTokenType'];
  if (tt && TOKEN_TYPES.has(tt)) return true;
  const dt = row.values['x_AiDeploymentType'];
  return !tt && !!row.values['x_AiModel'] && !(dt && TIME_BASED.has(dt));
}

/** Rules applied when the config names none: PTU, reservations and fine-tune hosting by token share. */
export const DEFAULT_RULES: readonly AllocationRule[] = [
  {
    match: { x_AiDeploymentType: ['provisioned', 'provisioned-reservation', 'fine-tune-hosting'] },
    by: 'tokens',
    dimension: 'team',
  },
];

/** Allocates one period's cost rows to the consumers in the ledger usage of the same period. */
export function allocateCosts(
  rows: readonly CostRow[],
  usage: readonly ConsumerUsage[],
  settings: AllocationSettings,
): AllocationResult {
  const pieces: AllocationPiece[] = [];
  const covered = new Set<number>();
  const match = usageMatcher(usage);
  const matches = rows.map(match);
  for (const m of matches) for (const i of m.usage) covered.add(i);

  // Per usage set: export cost of its token rows vs ledger cost, so traffic outside the gateway is not billed
  // to the teams that used the gateway.
  const exportByKey = new Map<string, Nanos>();
  rows.forEach((r, i) => {
    const m = matches[i]!;
    if (m.via !== 'none' && isTokenRow(r) && firstMatchingRule(settings.rules, r) < 0)
      exportByKey.set(m.key, (exportByKey.get(m.key) ?? 0n) + rowCostNanos(r));
  });

  rows.forEach((row, idx) => {
    const cost = rowCostNanos(row);
    const r = firstMatchingRule(settings.rules, row);
    let mine: AllocationPiece[];
    if (r >= 0) mine = allocateShared(idx, cost, r, settings.rules[r]!, matches[idx]!, usage, settings);
    else if (isTokenRow(row))
      mine = allocateDirect(row, idx, cost, matches[idx]!, usage, exportByKey, settings);
    else if (matches[idx]!.via === 'deployment' || matches[idx]!.via === 'account')
      // Other charges on a deployment the gateway serves (credits, adjustments, hosting) follow its token share.
      mine = splitAmong(
        idx,
        cost,
        matches[idx]!.usage,
        usage,
        ['input-equivalent', 'cost'],
        settings,
        'shared',
        'tokens',
        null,
        `token share on ${matches[idx]!.key}`,
      );
    else mine = [unallocated(idx, cost, null, 'no allocation rule matches this charge')];
    if (mine.length === 0) mine = [unallocated(idx, cost, r, 'nothing to split by')];
    // Cost no usage explains (outside the gateway, or never metered) goes to the owner its resource tags name,
    // as FinOps showback does; a fixed-share remainder stays unallocated on purpose.
    const owner = consumerFromTags(row);
    if (owner)
      mine = mine.map((p) =>
        p.kind === 'unallocated' && !(r >= 0 && settings.rules[r]!.by === 'fixed')
          ? { ...p, consumer: owner, kind: 'direct', method: 'tag', reason: `resource tags (${p.reason})` }
          : p,
      );
    pieces.push(...mine);
  });

  // Gateway usage no export row covers (e.g. a provider billed elsewhere): charged at the ledger's cost.
  const rest = usage.map((_, i) => i).filter((i) => !covered.has(i));
  pieces.push(
    ...ledgerPieces(usage, rest, 'gateway usage not in the cost export, at ledger effective rates'),
  );

  const exportNanos = sumNanos(rows.map(rowCostNanos));
  const totalNanos = sumNanos(pieces.map((p) => p.nanos));
  return {
    pieces,
    exportNanos,
    ledgerOnlyNanos: totalNanos - exportNanos,
    totalNanos,
    unallocatedNanos: sumNanos(pieces.filter((p) => p.kind === 'unallocated').map((p) => p.nanos)),
  };
}

function unallocated(rowIndex: number, nanos: Nanos, rule: number | null, reason: string): AllocationPiece {
  return { rowIndex, consumer: null, kind: 'unallocated', method: 'none', rule, nanos, reason };
}

function allocateDirect(
  row: CostRow,
  idx: number,
  cost: Nanos,
  m: UsageMatch,
  usage: readonly ConsumerUsage[],
  exportByKey: ReadonlyMap<string, Nanos>,
  s: AllocationSettings,
): AllocationPiece[] {
  if (m.via === 'none')
    return [
      unallocated(idx, cost, null, 'no gateway traffic on this deployment or model (bypassed the gateway)'),
    ];
  const exported = exportByKey.get(m.key) ?? 0n;
  const metered = sumNanos(m.usage.map((i) => usage[i]!.costNanos));
  let attributed = cost;
  let outside = 0n;
  if (metered > 0n && exported > metered && cost > 0n) {
    const parts = splitNanos(cost, [metered, exported - metered]);
    attributed = parts[0]!;
    outside = parts[1]!;
  }
  const tt = row.values['x_AiTokenType'];
  const kinds: TokenWeighting[] = [
    tt === 'input' || tt === 'cached-input' || tt === 'output' ? tt : 'cost',
    'cost',
    'input-equivalent',
  ];
  const out = splitAmong(
    idx,
    attributed,
    m.usage,
    usage,
    kinds,
    s,
    'direct',
    'direct',
    null,
    `${m.via} ${m.key}`,
  );
  if (outside !== 0n)
    out.push(
      unallocated(
        idx,
        outside,
        null,
        `the export bills more than the gateway metered on ${m.key} (traffic outside the gateway)`,
      ),
    );
  return out;
}

function allocateShared(
  idx: number,
  cost: Nanos,
  r: number,
  rule: AllocationRule,
  m: UsageMatch,
  usage: readonly ConsumerUsage[],
  s: AllocationSettings,
): AllocationPiece[] {
  const all = usage.map((_, i) => i);
  if (rule.by === 'tokens') {
    const set = m.via === 'none' ? all : m.usage;
    return splitAmong(
      idx,
      cost,
      set,
      usage,
      ['input-equivalent'],
      s,
      'shared',
      'tokens',
      r,
      m.via === 'none' ? 'token share of all usage' : `token share on ${m.key}`,
    );
  }
  let names: string[];
  let weights: bigint[];
  if (rule.by === 'even') {
    names = rule.consumers
      ? [...rule.consumers]
      : [
          ...new Set(
            usage.map((u) => dimensionValue(u, rule.dimension)).filter((v): v is string => v !== null),
          ),
        ].sort();
    weights = names.map(() => 1n);
  } else {
    names = Object.keys(rule.shares ?? {}).sort();
    weights = names.map((n) => parseUsd(rule.shares?.[n] ?? 0));
    const rest = 1_000_000_000n - sumNanos(weights);
    if (rest > 0n) {
      names.push('');
      weights.push(rest);
    }
  }
  if (names.length === 0) return [unallocated(idx, cost, r, 'rule splits evenly but no consumer has usage')];
  const parts = splitNanos(cost, weights);
  const out: AllocationPiece[] = [];
  names.forEach((name, i) => {
    const part = parts[i]!;
    if (name === '') {
      if (part !== 0n) out.push(unallocated(idx, part, r, 'fixed shares add up to less than 1'));
      return;
    }
    const mine = all.filter((k) => dimensionValue(usage[k]!, rule.dimension) === name);
    if (mine.length === 0) {
      if (part !== 0n)
        out.push({
          rowIndex: idx,
          consumer: consumerWith(rule.dimension, name),
          kind: 'shared',
          method: rule.by,
          rule: r,
          nanos: part,
          reason: `${rule.by} share of ${rule.dimension} ${name}`,
        });
      return;
    }
    out.push(
      ...splitAmong(
        idx,
        part,
        mine,
        usage,
        ['input-equivalent', 'cost'],
        s,
        'shared',
        rule.by,
        r,
        `${rule.by} share of ${rule.dimension} ${name}`,
      ),
    );
  });
  return out;
}

/** Splits an amount among the consumers of a usage set, trying each weighting until one is non-zero. */
function splitAmong(
  idx: number,
  amount: Nanos,
  set: readonly number[],
  usage: readonly ConsumerUsage[],
  weightings: readonly TokenWeighting[],
  s: AllocationSettings,
  kind: 'direct' | 'shared',
  method: AllocationPiece['method'],
  rule: number | null,
  reason: string,
): AllocationPiece[] {
  for (const w of weightings) {
    const { consumers, weights } = weightsByConsumer(usage, set, (u) => usageWeight(u, w, s));
    if (sumNanos(weights) === 0n) continue;
    const parts = splitNanos(amount, weights);
    const piece = (i: number): AllocationPiece => ({
      rowIndex: idx,
      consumer: consumers[i]!,
      kind,
      method,
      rule,
      nanos: parts[i]!,
      reason,
    });
    const out = consumers.map((_, i) => piece(i)).filter((p) => p.nanos !== 0n);
    // A zero-cost row still gets one piece, so the export keeps every row.
    if (out.length === 0)
      out.push(
        piece(
          Math.max(
            0,
            weights.findIndex((x) => x > 0n),
          ),
        ),
      );
    return out;
  }
  return [unallocated(idx, amount, rule, `no tokens to split by on ${reason}`)];
}

/** Groups pieces by consumer key (for callers that need per-consumer sums). */
export { consumerKey };

/** Direct pieces charging each consumer the ledger cost of the given usage rows (first-seen order, no zeros). */
export function ledgerPieces(
  usage: readonly ConsumerUsage[],
  indexes: readonly number[],
  reason: string,
): AllocationPiece[] {
  const { consumers, weights } = weightsByConsumer(usage, indexes, (u) => u.costNanos);
  return consumers.flatMap((consumer, i) =>
    weights[i] === 0n
      ? []
      : [
          {
            rowIndex: null,
            consumer,
            kind: 'direct',
            method: 'ledger',
            rule: null,
            nanos: weights[i]!,
            reason,
          },
        ],
  );
}
