/** Matching cost rows to rules and to the gateway's usage (deployment first, then model). */
import type { AllocationRule, ConsumerUsage, CostRow } from './_types.js';

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

/** Narrows usage indexes to the row's model family and, when possible, its deployment type. */
function narrowByModel(
  row: CostRow,
  usage: readonly MatchableUsage[],
  within: readonly number[],
): { key: string; usage: number[] } | null {
  const model = row.values['x_AiModel'];
  if (!model) return null;
  const fam = normalizeModel(model);
  const byModel = within.filter((i) => normalizeModel(usage[i]!.model) === fam);
  const type = row.values['x_AiDeploymentType'];
  const ledgerType = type ? (LEDGER_TYPE[type] ?? type) : null;
  const byType = ledgerType ? byModel.filter((i) => usage[i]!.deploymentType === ledgerType) : [];
  if (byType.length > 0) return { key: `${fam}|${ledgerType}`, usage: byType };
  if (byModel.length > 0) return { key: fam, usage: byModel };
  return null;
}

/**
 * Finds the usage a cost row is about: the same deployment; else the same account (the gateway's upstream)
 * and model; else the same model (and deployment type) anywhere. Traffic on a known account for a model the
 * gateway never sent there matches nothing: it bypassed the gateway.
 */
export function matchUsage(row: CostRow, usage: readonly MatchableUsage[]): UsageMatch {
  const names = new Set(rowDeploymentNames(row));
  if (names.size > 0) {
    const hits = indexesWhere(usage, (u) => u.deployment !== null && names.has(u.deployment.toLowerCase()));
    if (hits.length > 0) {
      const dep = usage[hits[0]!]!.deployment!.toLowerCase();
      return { key: `deployment:${dep}`, via: 'deployment', usage: hits };
    }
    const inAccount = indexesWhere(usage, (u) => !!u.upstream && names.has(u.upstream.toLowerCase()));
    if (inAccount.length > 0) {
      const account = usage[inAccount[0]!]!.upstream!.toLowerCase();
      if (!row.values['x_AiModel']) return { key: `account:${account}`, via: 'account', usage: inAccount };
      const narrowed = narrowByModel(row, usage, inAccount);
      if (narrowed)
        return { key: `account:${account}|${narrowed.key}`, via: 'account', usage: narrowed.usage };
      return { key: 'none', via: 'none', usage: [] };
    }
  }
  const all = usage.map((_, i) => i);
  const narrowed = narrowByModel(row, usage, all);
  if (narrowed) return { key: `model:${narrowed.key}`, via: 'model', usage: narrowed.usage };
  return { key: 'none', via: 'none', usage: [] };
}

function indexesWhere<T>(xs: readonly T[], f: (x: T) => boolean): number[] {
  const out: number[] = [];
  xs.forEach((x, i) => {
    if (f(x)) out.push(i);
  });
  return out;
}
