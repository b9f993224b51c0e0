/**
 * Test fixture for recommend, carbon and maturity: November 2026 (720 hours) with an oversized PTU deployment
 * (20 PTU, 15 reserved for a month, used 8 hours a day at ~19,000 input-equivalent TPM), a fine-tuned
 * deployment idle after 10 November whose hosting keeps billing, a Data Zone app without a residency tag, a
 * nightly non-streamed job, a classifier on gpt-4o, and a 15-PTU account with no provisioned traffic at all.
 */
import { makeUsageEvent, type UsageEvent } from '../src/ledger/index.js';
import type { CostStore } from '../src/store/index.js';
import { insertCostRows, type FixtureCostRow } from './_allocation-fixture.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');

/** Seeds the savings fixture into an open store. */
export async function seedSavingsOrg(store: CostStore): Promise<void> {
  const events: UsageEvent[] = [];
  let n = 0;
  const add = (at: number, p: Partial<UsageEvent> & Pick<UsageEvent, 'model'>) =>
    events.push(
      makeUsageEvent({ id: `s${n++}`, startTime: at, region: 'eastus2', environment: 'prod', ...p }),
    );
  for (let d = 0; d < 30; d++) {
    const day = T0 + d * DAY;
    for (let h = 9; h < 17; h++)
      for (let m = 0; m < 60; m += 3)
        add(day + h * 3_600_000 + m * 60_000, {
          model: 'gpt-4.1-2025-04-14',
          team: 'search',
          app: 'rag',
          deployment: 'ptu-41',
          upstream: 'acct-ptu',
          deploymentType: 'provisioned',
          inputTokens: 20_000,
          cachedInputTokens: 5_000,
          outputTokens: 1_000,
          streamed: true,
        });
    if (d < 10)
      for (let i = 0; i < 10; i++)
        add(day + (10 + i) * 3_600_000, {
          model: 'gpt-4.1-mini-2025-04-14',
          team: 'claims',
          app: 'extractor',
          deployment: 'ft-1',
          upstream: 'acct-ft',
          deploymentType: 'fine-tuned',
          inputTokens: 2_000,
          outputTokens: 400,
        });
    for (let i = 0; i < 10; i++)
      add(day + (9 + i) * 3_600_000, {
        model: 'gpt-4o-2024-08-06',
        team: 'marketing',
        app: 'writer',
        deployment: 'dz-4o',
        upstream: 'acct-mkt',
        deploymentType: 'data-zone',
        inputTokens: 2_000,
        outputTokens: 1_000,
        streamed: i % 2 === 0,
        endUser: `u${i}`,
      });
    for (let i = 0; i < 20; i++)
      add(day + 2 * 3_600_000 + i * 60_000, {
        model: 'gpt-4.1-2025-04-14',
        team: 'finance',
        app: 'nightly-report',
        deployment: 'gpt-41',
        upstream: 'acct-fin',
        inputTokens: 3_000,
        outputTokens: 500,
      });
    for (let i = 0; i < 30; i++)
      add(day + (8 + (i % 10)) * 3_600_000 + i * 1000, {
        model: 'gpt-4o-2024-08-06',
        team: 'support',
        app: 'triage',
        deployment: 'gpt-4o',
        upstream: 'acct-sup',
        inputTokens: 1_500,
        outputTokens: 10,
        endUser: `c${i}`,
        streamed: i % 3 === 0,
        tags: { task: 'classification' },
      });
    // An assistant whose long prompts start with the same 1,024+ tokens a dozen times an hour, never cached.
    for (let h = 9; h < 17; h++)
      for (let i = 0; i < 12; i++)
        add(day + h * 3_600_000 + i * 300_000, {
          model: 'gpt-4.1-2025-04-14',
          team: 'support',
          app: 'assistant',
          deployment: 'gpt-41',
          upstream: 'acct-fin',
          inputTokens: 3_000,
          outputTokens: 500,
          streamed: true,
          endUser: `a${i}`,
          promptPrefixHash: i % 2 === 0 ? 'prefix-a' : 'prefix-b',
        });
  }
  await store.appendUsage(events);
  const rows: FixtureCostRow[] = [];
  const at = (d: number) => new Date(T0 + d * DAY).toISOString();
  const ptu = {
    ResourceName: 'acct-ptu',
    SkuMeter: 'Provisioned Managed Global Unit',
    x_AiDeploymentType: 'provisioned',
    x_AiService: 'openai',
  };
  rows.push({
    ...ptu,
    ChargePeriodStart: at(0),
    ChargeCategory: 'Purchase',
    ChargeFrequency: 'Recurring',
    PricingCategory: 'Committed',
    SkuMeter: 'Provisioned Managed Global Unit - 1 Month Reservation',
    x_AiDeploymentType: 'provisioned-reservation',
    ListCost: '3900',
    EffectiveCost: '0',
    BilledCost: '3900',
    ConsumedQuantity: null,
  });
  for (let d = 0; d < 30; d++) {
    rows.push({
      ...ptu,
      ChargePeriodStart: at(d),
      PricingCategory: 'Committed',
      CommitmentDiscountStatus: 'Used',
      CommitmentDiscountName: 'ptu-res-1m',
      ConsumedQuantity: '360',
      ListCost: '360',
      EffectiveCost: '130',
    });
    rows.push({
      ...ptu,
      ChargePeriodStart: at(d),
      ConsumedQuantity: '120',
      ListCost: '120',
      EffectiveCost: '105.6',
    });
    rows.push({
      ResourceName: 'acct-ft',
      SkuMeter: 'gpt-4.1-mini FT Deployment Hosting Unit',
      x_AiDeploymentType: 'fine-tune-hosting',
      x_AiModel: 'gpt-4.1-mini',
      x_AiService: 'openai',
      ChargePeriodStart: at(d),
      ConsumedQuantity: '24',
      ListCost: '40.8',
      EffectiveCost: '35.904',
    });
    rows.push({
      ...ptu,
      ResourceName: 'acct-idle',
      ChargePeriodStart: at(d),
      ConsumedQuantity: '360',
      ListCost: '360',
      EffectiveCost: '316.8',
    });
    rows.push({
      ResourceName: 'acct-mkt',
      SkuMeter: 'gpt-4o-0806-Inp-DZone Tokens',
      x_AiDeploymentType: 'data-zone',
      x_AiService: 'openai',
      ChargePeriodStart: at(d),
      ListCost: '10',
      EffectiveCost: '8.8',
    });
  }
  await insertCostRows(store, rows);
}
