/** Matching cost rows to rules and to the gateway's usage (deployment first, then model). */
import type { AllocationRule, Consumer, ConsumerUsage, CostRow } from './_types.js';

/** Reads a column of a cost row; `Tags.<key>` reads one tag from the Tags JSON. */
export function columnValue(row: CostRow, column: string): string | null {
  if (column.startsWith('Tags.')) {
    const tags = parseJsonObject(row.values['Tags'] ?? null);
    const v = tags[column.slice(5)];
    return v === undefined || v === null ? null : String(v);
  }
  return row.values[column] ?? null;
}

/** Parses a JSON object column leniently (Azure tags sometimes come without braces). */
export function parseJsonObject(text: string | null): Record<string, unknown> {
  if (!text) return {};
  for (const candidate of [text, `{${text}}`]) {
    try {
      const v: unknown = JSON.parse(candidate);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // try the next form
    }
  }
  return {};
}

/** True when every column of the rule's match equals (case-insensitively) one of its values. */
export function ruleMatches(rule: AllocationRule, row: CostRow): boolean {
  for (const [col, wanted] of Object.entries(rule.match)) {
    const v = columnValue(row, col)?.trim().toLowerCase();
    if (v === undefined || !wanted.some((w) => w.trim().toLowerCase() === v)) return false;
  }
  return true;
}

/** Index of the first matching rule, or -1. */
export function firstMatchingRule(rules: readonly AllocationRule[], row: CostRow): number {
  return rules.findIndex((r) => ruleMatches(r, row));
}

/** Model family for matching export meters to ledger models: "gpt-4o-2024-08-06" and "gpt-4o-0806" -> "gpt-4o". */
export function normalizeModel(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/-\d{4}-\d{2}-\d{2}$/, '')
    .replace(/-(\d{4}|\d{6}|\d{8})$/, '');
}

// Export deployment types -> the ledger's deployment types.
const LEDGER_TYPE: Record<string, string> = {
  provisioned: 'provisioned',
  'provisioned-reservation': 'provisioned',
  'fine-tune-hosting': 'fine-tuned',
  'fine-tune-training': 'fine-tuned',
};

/** Candidate deployment names of a cost row: ResourceName, the last segment of ResourceId, Tags.deployment. */
export function rowDeploymentNames(row: CostRow): string[] {
  const out: string[] = [];
  const name = row.values['ResourceName'];
  if (name) out.push(name.toLowerCase());
  const id = row.values['ResourceId'];
  if (id) out.push((id.split('/').pop() ?? id).toLowerCase());
  const tag = columnValue(row, 'Tags.deployment');
  if (tag) out.push(tag.toLowerCase());
  return out;
}

/** Which usage a cost row belongs to, and how it was found. */
export interface UsageMatch {
  /** Stable key of the matched set ("deployment:x", "account:a|gpt-4o|provisioned", "model:gpt-4o", ...). */
  readonly key: string;
  readonly via: 'deployment' | 'account' | 'model' | 'none';
  /** Indexes into the usage list. */
  readonly usage: readonly number[];
}

/** What matching needs to know about a usage line. */
export type MatchableUsage = Pick<ConsumerUsage, 'deployment' | 'model' | 'deploymentType'> & {
  /** The gateway's upstream name; for Azure this is the account the export names in ResourceName. */
  readonly upstream?: string | null;
};

/**
 * Builds a matcher that finds the usage a cost row is about: the same deployment; else the same account (the
 * gateway's upstream) and model; else the same model (and deployment type) anywhere. Traffic on a known account
 * for a model the gateway never sent there matches nothing: it bypassed the gateway. Usage is indexed once and
 * answers are memoised per (names, model, type), since a month repeats the same meters every day.
 */
export function usageMatcher(usage: readonly MatchableUsage[]): (row: CostRow) => UsageMatch {
  const byDeployment = new Map<string, number[]>();
  const byUpstream = new Map<string, number[]>();
  const family = usage.map((u) => normalizeModel(u.model));
  const push = (m: Map<string, number[]>, k: string | null | undefined, i: number) => {
    if (!k) return;
    const key = k.toLowerCase();
    const list = m.get(key);
    if (list) list.push(i);
    else m.set(key, [i]);
  };
  usage.forEach((u, i) => {
    push(byDeployment, u.deployment, i);
    push(byUpstream, u.upstream, i);
  });
  const all = usage.map((_, i) => i);
  const union = (m: Map<string, number[]>, names: readonly string[]) =>
    [...new Set(names.flatMap((n) => m.get(n) ?? []))].sort((a, b) => a - b);

  const narrow = (row: CostRow, within: readonly number[]): { key: string; usage: number[] } | null => {
    const model = row.values['x_AiModel'];
    if (!model) return null;
    const fam = normalizeModel(model);
    const byModel = within.filter((i) => family[i] === fam);
    const type = row.values['x_AiDeploymentType'];
    const ledgerType = type ? (LEDGER_TYPE[type] ?? type) : null;
    const byType = ledgerType ? byModel.filter((i) => usage[i]!.deploymentType === ledgerType) : [];
    if (byType.length > 0) return { key: `${fam}|${ledgerType}`, usage: byType };
    if (byModel.length > 0) return { key: fam, usage: byModel };
    return null;
  };
  const none: UsageMatch = { key: 'none', via: 'none', usage: [] };

  const compute = (row: CostRow, names: readonly string[]): UsageMatch => {
    if (names.length > 0) {
      const hits = union(byDeployment, names);
      if (hits.length > 0) {
        const dep = usage[hits[0]!]!.deployment!.toLowerCase();
        return { key: `deployment:${dep}`, via: 'deployment', usage: hits };
      }
      const inAccount = union(byUpstream, names);
      if (inAccount.length > 0) {
        const account = usage[inAccount[0]!]!.upstream!.toLowerCase();
        if (!row.values['x_AiModel']) return { key: `account:${account}`, via: 'account', usage: inAccount };
        const n = narrow(row, inAccount);
        return n ? { key: `account:${account}|${n.key}`, via: 'account', usage: n.usage } : none;
      }
    }
    const n = narrow(row, all);
    return n ? { key: `model:${n.key}`, via: 'model', usage: n.usage } : none;
  };

  const memo = new Map<string, UsageMatch>();
  return (row) => {
    const names = [...new Set(rowDeploymentNames(row))];
    const key = JSON.stringify([
      names,
      row.values['x_AiModel'] ?? null,
      row.values['x_AiDeploymentType'] ?? null,
    ]);
    let m = memo.get(key);
    if (!m) memo.set(key, (m = compute(row, names)));
    return m;
  };
}

/** Matches one row (build a `usageMatcher` once when matching many). */
export function matchUsage(row: CostRow, usage: readonly MatchableUsage[]): UsageMatch {
  return usageMatcher(usage)(row);
}

// Resource tag keys (compared lower-case, without - and _) that name a consumer.
const TAG_KEYS: Record<string, keyof Consumer> = {
  team: 'team',
  costcenter: 'costCenter',
  app: 'app',
  application: 'app',
  env: 'environment',
  environment: 'environment',
};

/** The consumer a row's resource tags name (team, cost center or app required), or null. */
export function consumerFromTags(row: CostRow): Consumer | null {
  const tags = parseJsonObject(row.values['Tags'] ?? null);
  const c: { -readonly [K in keyof Consumer]: string | null } = {
    team: null,
    costCenter: null,
    app: null,
    environment: null,
  };
  for (const [k, v] of Object.entries(tags)) {
    const field = TAG_KEYS[k.toLowerCase().replace(/[-_\s]/g, '')];
    if (field && (typeof v === 'string' || typeof v === 'number') && String(v).trim() !== '')
      c[field] ??= String(v).trim();
  }
  return c.team || c.costCenter || c.app ? c : null;
}
