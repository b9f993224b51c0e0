/** Test fixture for allocation, chargeback, reconcile and export: a small ledger and cost export in DuckDB. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseUsd } from '../src/core/index.js';
import { makeUsageEvent, type UsageEvent } from '../src/ledger/index.js';
import { openStore, type CostStore, type SqlParam, duckdbSql } from '../src/store/index.js';
import { runCli } from './cli.js';

/** A cost row: FOCUS column -> value (strings for decimals keep them exact). */
export type FixtureCostRow = Record<string, string | null>;

let seq = 0;

/** Runs `fn` with a fresh temporary directory, removed afterwards whatever happens. */
export async function inTempDir(prefix: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Inserts cost rows with parameterised SQL, filling the FOCUS mandatory columns a real export has. */
export async function insertCostRows(store: CostStore, rows: readonly FixtureCostRow[]): Promise<void> {
  for (const r of rows) {
    const start = r['ChargePeriodStart'] ?? '2026-01-01T00:00:00Z';
    const month = start.slice(0, 7);
    const [y, m] = month.split('-').map(Number) as [number, number];
    const next = new Date(Date.UTC(y, m, 1)).toISOString();
    const full: FixtureCostRow = {
      BillingAccountId: 'ba-1',
      BillingAccountName: 'Contoso',
      BillingCurrency: 'USD',
      BillingPeriodStart: `${month}-01T00:00:00Z`,
      BillingPeriodEnd: next,
      ChargeCategory: 'Usage',
      ChargeFrequency: 'Usage-Based',
      ChargeDescription: 'fixture',
      ChargePeriodStart: start,
      ChargePeriodEnd: new Date(Date.parse(start) + 86_400_000).toISOString(),
      InvoiceIssuerName: 'Microsoft',
      ProviderName: 'Microsoft',
      PublisherName: 'Microsoft',
      ServiceCategory: 'AI and Machine Learning',
      ServiceName: 'Azure OpenAI',
      PricingCategory: 'Standard',
      x_AiProvider: 'azure-openai',
      ...r,
    };
    const cost = full['EffectiveCost'] ?? '0';
    // Defaults only for columns the row does not mention (an explicit null stays empty, like an EA export).
    const fill = (col: string, v: string | null | undefined) => {
      if (!(col in r)) full[col] = v ?? null;
    };
    fill('BilledCost', cost);
    fill('ContractedCost', cost);
    fill('ListCost', cost);
    fill('PricingQuantity', '1');
    fill('PricingUnit', 'Units');
    fill('ConsumedQuantity', '1');
    fill('ConsumedUnit', 'Units');
    fill('ListUnitPrice', full['ListCost']);
    fill('ContractedUnitPrice', full['ContractedCost']);
    fill('SkuId', 'sku-1');
    fill('SkuPriceId', 'skuprice-1');
    const cols = Object.keys(full);
    const params: SqlParam[] = [`r${++seq}`, 'fixture.csv', seq, ...cols.map((c) => full[c] ?? null)];
    const marks = params.map((_, i) => `$${i + 1}`).join(', ');
    await duckdbSql(store).exec(
      `INSERT INTO cost_rows (_row_id, _source_file, _source_line, ${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${marks})`,
      params,
    );
  }
}

/** A usage event in a compact form: who, where, tokens, cost in USD text. */
export interface FixtureUsage {
  team: string | null;
  costCenter?: string;
  app?: string;
  environment?: string;
  endUser?: string;
  deployment: string;
  model: string;
  deploymentType?: UsageEvent['deploymentType'];
  at: string;
  input: number;
  cached?: number;
  output: number;
  costUsd: string;
  listCostUsd?: string;
  durationMs?: number;
  cacheHit?: boolean;
  tags?: Record<string, string>;
}

/** Appends usage events through the store's ledger door. */
export async function insertUsage(store: CostStore, events: readonly FixtureUsage[]): Promise<void> {
  await store.appendUsage(
    events.map((e) =>
      makeUsageEvent({
        id: `u${++seq}`,
        startTime: Date.parse(e.at),
        model: e.model,
        team: e.team,
        costCenter: e.costCenter ?? null,
        app: e.app ?? null,
        environment: e.environment ?? 'prod',
        endUser: e.endUser ?? null,
        deployment: e.deployment,
        deploymentType: e.deploymentType ?? 'global-standard',
        inputTokens: e.input,
        cachedInputTokens: e.cached ?? 0,
        outputTokens: e.output,
        costNanos: parseUsd(e.costUsd),
        listCostNanos: parseUsd(e.listCostUsd ?? e.costUsd),
        durationMs: e.durationMs ?? 100,
        cacheOutcome: e.cacheHit ? 'hit-exact' : 'miss',
        tags: e.tags ?? {},
      }),
    ),
  );
}

/** Opens (creating) a store file, runs fn, closes it. */
export async function withStore(path: string, fn: (s: CostStore) => Promise<void>): Promise<void> {
  const store = await openStore({ path });
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * The standard organisation for January 2026 (and one December 2025 charge):
 * - gpt4o-std (global standard): export input $8, output $6; ledger search 3M in/0.5M out ($10), support 1M/0.5M ($5).
 * - ptu-1 (provisioned): export $100 of PTU hours; ledger search 3M in/0.25M out, support 1M/0.25M ($0).
 * - Azure AI Search: $50. A deployment no gateway traffic used (shadow): $7. A VM ($999) and a February row.
 * - research calls openai-direct ($2.50), which is not in the export.
 */
export async function seedStandardOrg(store: CostStore): Promise<void> {
  await insertUsage(store, [
    {
      team: 'search',
      costCenter: 'CC-100',
      app: 'search-app',
      deployment: 'gpt4o-std',
      model: 'gpt-4o-2024-08-06',
      at: '2026-01-05T10:00:00Z',
      input: 3_000_000,
      output: 500_000,
      costUsd: '10',
      listCostUsd: '12',
      endUser: 'u1',
      tags: { conversation_id: 'c1' },
    },
    {
      team: 'support',
      costCenter: 'CC-200',
      app: 'helpdesk',
      deployment: 'gpt4o-std',
      model: 'gpt-4o-2024-08-06',
      at: '2026-01-06T10:00:00Z',
      input: 1_000_000,
      output: 500_000,
      costUsd: '5',
      listCostUsd: '6',
      endUser: 'u2',
      tags: { conversation_id: 'c2' },
    },
    {
      team: 'search',
      costCenter: 'CC-100',
      app: 'search-app',
      deployment: 'ptu-1',
      model: 'gpt-4o-2024-08-06',
      deploymentType: 'provisioned',
      at: '2026-01-07T10:00:00Z',
      input: 3_000_000,
      output: 250_000,
      costUsd: '0',
      endUser: 'u1',
      tags: { conversation_id: 'c1' },
    },
    {
      team: 'support',
      costCenter: 'CC-200',
      app: 'helpdesk',
      deployment: 'ptu-1',
      model: 'gpt-4o-2024-08-06',
      deploymentType: 'provisioned',
      at: '2026-01-08T10:00:00Z',
      input: 1_000_000,
      output: 250_000,
      costUsd: '0',
      endUser: 'u3',
      tags: { conversation_id: 'c3' },
    },
    {
      team: 'research',
      costCenter: 'CC-300',
      app: 'lab',
      deployment: 'openai-direct',
      model: 'gpt-4.1',
      at: '2026-01-09T10:00:00Z',
      input: 100_000,
      output: 10_000,
      costUsd: '2.5',
      endUser: 'u4',
    },
    {
      team: 'search',
      costCenter: 'CC-100',
      app: 'search-app',
      deployment: 'gpt4o-std',
      model: 'gpt-4o-2024-08-06',
      at: '2025-12-15T10:00:00Z',
      input: 1_000_000,
      output: 0,
      costUsd: '4',
      endUser: 'u1',
    },
  ]);
  const tok = (deployment: string, type: string, cost: string, day = '2026-01-05'): FixtureCostRow => ({
    ChargePeriodStart: `${day}T00:00:00Z`,
    ResourceName: deployment,
    ResourceId: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/acct/deployments/${deployment}`,
    x_AiModel: 'gpt-4o',
    x_AiService: 'openai',
    x_AiDeploymentType: 'global-standard',
    x_AiTokenType: type,
    EffectiveCost: cost,
  });
  await insertCostRows(store, [
    { ...tok('gpt4o-std', 'input', '8.00'), ListCost: '10.00' },
    { ...tok('gpt4o-std', 'output', '6.00'), ListCost: '7.50' },
    { ...tok('ptu-1', 'none', '100.00'), x_AiDeploymentType: 'provisioned', PricingUnit: 'Hours' },
    {
      ChargePeriodStart: '2026-01-10T00:00:00Z',
      ServiceName: 'Azure AI Search',
      x_AiService: 'ai-search',
      x_AiTokenType: 'none',
      ResourceName: 'search-svc',
      EffectiveCost: '50.00',
    },
    { ...tok('shadow', 'input', '7.00'), x_AiModel: 'gpt-35-turbo' },
    {
      ChargePeriodStart: '2026-01-11T00:00:00Z',
      ServiceName: 'Virtual Machines',
      ServiceCategory: 'Compute',
      x_AiProvider: null,
      ResourceName: 'vm-1',
      EffectiveCost: '999.00',
    },
    { ...tok('gpt4o-std', 'input', '3.00', '2026-02-01') },
    { ...tok('gpt4o-std', 'input', '4.00', '2025-12-15') },
  ]);
}

/** tally.yaml for the standard organisation: PTU by tokens, AI Search 70/30, remainder to shared-platform. */
export const STANDARD_CONFIG = `allocation:
  rules:
    - { match: { x_AiDeploymentType: provisioned }, by: tokens }
    - { match: { ServiceName: Azure AI Search }, by: fixed, shares: { search: 0.7, support: 0.3 } }
  unallocated: shared-platform
`;

/**
 * The FOCUS export of January 2026 for the standard org plus `rows`, written by the CLI to `<dir>/focus.csv`:
 * what the export tests start from. Returns the path and the CLI result.
 */
export async function exportStandardOrgFocus(
  dir: string,
  rows: readonly FixtureCostRow[],
): Promise<{ out: string; db: string; cfg: string; result: Awaited<ReturnType<typeof runCli>> }> {
  const db = join(dir, 't.duckdb');
  const cfg = join(dir, 'tally.yaml');
  writeFileSync(cfg, STANDARD_CONFIG);
  await withStore(db, async (s) => {
    await seedStandardOrg(s);
    await insertCostRows(s, rows);
  });
  const out = join(dir, 'focus.csv');
  const args = ['export', 'focus', '--db', db, '--config', cfg, '--period', '2026-01', '--out', out];
  return { out, db, cfg, result: await runCli(args) };
}
