/** Shapes shared by allocation, chargeback, reconciliation and the FOCUS export. Money in nanos. */
import type { ExchangeRate, Nanos } from '../../core/index.js';
import type { HostedDeployment } from '../hosting/index.js';

/** One cost row of the export: every FOCUS column as exact text (decimals unrounded), null when empty. */
export interface CostRow {
  /** Position in the loaded list; pieces point back here. */
  readonly index: number;
  readonly values: Readonly<Record<string, string | null>>;
}

/** Who consumed: the gateway's attribution fields. */
export interface Consumer {
  readonly team: string | null;
  readonly costCenter: string | null;
  readonly app: string | null;
  readonly environment: string | null;
}

/** Consumer dimensions a report can be cut by. */
export const CONSUMER_DIMENSIONS = ['team', 'cost-center', 'app', 'environment'] as const;
/** A consumer dimension. */
export type ConsumerDimension = (typeof CONSUMER_DIMENSIONS)[number];

/** Ledger usage of one consumer on one deployment/model in the period. */
export interface ConsumerUsage extends Consumer {
  readonly deployment: string | null;
  /** The gateway's upstream (for Azure, the account the export names as ResourceName). */
  readonly upstream: string | null;
  readonly model: string;
  readonly deploymentType: string;
  readonly requests: number;
  readonly inputTokens: bigint;
  readonly cachedInputTokens: bigint;
  readonly outputTokens: bigint;
  /** Ledger cost at effective rates. */
  readonly costNanos: Nanos;
  /** Ledger cost at list rates. */
  readonly listCostNanos: Nanos;
}

/** A parsed allocation rule. */
export interface AllocationRule {
  readonly match: Readonly<Record<string, readonly string[]>>;
  readonly by: 'tokens' | 'even' | 'fixed';
  readonly shares?: Readonly<Record<string, number>>;
  readonly consumers?: readonly string[];
  readonly dimension: ConsumerDimension;
}

/** Allocation settings (the config section, defaults applied). */
export interface AllocationSettings {
  readonly rules: readonly AllocationRule[];
  readonly unallocatedLabel: string;
  readonly outputTokenWeight: number;
  readonly cachedTokenWeight: number;
  /** Self-hosted deployments priced from their hourly cost (ADR 0026); none when absent. */
  readonly hosted?: readonly HostedDeployment[];
  /** The reporting currency (default USD) and configured exchange rates (ADR 0030). */
  readonly currency?: string;
  readonly rates?: readonly ExchangeRate[];
}

/** How a piece of cost reached its consumer. */
export type AllocationMethod = 'direct' | 'ledger' | 'tag' | 'tokens' | 'even' | 'fixed' | 'none';

/** One piece of cost: part of a cost row (or of ledger-only usage) given to one consumer, or left unallocated. */
export interface AllocationPiece {
  /** Cost row index, or null for ledger-only usage not covered by the export. */
  readonly rowIndex: number | null;
  /** Null when unallocated. */
  readonly consumer: Consumer | null;
  readonly kind: 'direct' | 'shared' | 'unallocated';
  readonly method: AllocationMethod;
  /** Index of the config rule that matched, or null. */
  readonly rule: number | null;
  readonly nanos: Nanos;
  /** Why (for unallocated pieces and for the FOCUS AllocatedMethodDetails). */
  readonly reason: string;
}

/** The result of allocating one period. */
export interface AllocationResult {
  readonly pieces: readonly AllocationPiece[];
  /** AI spend in the export (EffectiveCost, else BilledCost) for the period. */
  readonly exportNanos: Nanos;
  /** Ledger cost of usage that no export row covers (priced at the ledger's effective rates). */
  readonly ledgerOnlyNanos: Nanos;
  /** exportNanos + ledgerOnlyNanos; equals the sum of every piece. */
  readonly totalNanos: Nanos;
  readonly unallocatedNanos: Nanos;
}
