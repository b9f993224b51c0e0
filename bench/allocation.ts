/**
 * Allocation benchmark: a synthetic month with many accounts, deployments, teams and cost rows, then the
 * reports end to end (load + allocate + chargeback, reconcile, FOCUS export). Checks the balance invariant on
 * the way. Usage: npm run bench:allocation [-- --accounts 100 --teams 40]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { monthWindow, sumNanos } from '../src/core/index.js';
import { makeUsageEvent, type UsageEvent } from '../src/ledger/index.js';
import { duckdbSql, openStore } from '../src/store/index.js';
import { allocatePeriod, allocationSettings, loadCostGroups } from '../src/analytics/allocate/index.js';
import { buildChargeback, chargebackBalances } from '../src/analytics/chargeback/index.js';
import { loadMeteredUsage, reconcile } from '../src/analytics/reconcile/index.js';
import { focusExportRows, FOCUS_EXPORT_COLUMNS, toCsv } from '../src/export/index.js';
import { configSchema } from '../src/core/index.js';

const { values } = parseArgs({
  options: { accounts: { type: 'string', default: '100' }, teams: { type: 'string', default: '40' } },
});
const ACCOUNTS = Number(values.accounts);
const TEAMS = Number(values.teams);
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini'];
const DAYS = 31;

const dir = mkdtempSync(join(tmpdir(), 'tally-bench-alloc-'));
const db = join(dir, 'b.duckdb');
const time = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const out = await fn();
  console.log(`${label.padEnd(44)} ${(performance.now() - t0).toFixed(0).padStart(7)} ms`);
  return out;
};

try {
  const store = await openStore({ path: db });
  // Cost rows: per account, model, token type and day, plus one PTU row per account and day, in SQL.
  await time('seed cost rows (SQL)', () =>
    duckdbSql(store)
      .exec(`INSERT INTO cost_rows (_row_id, "ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart", "BillingPeriodEnd",
      "BillingAccountId", "BillingCurrency", "ChargeCategory", "ChargeFrequency", "InvoiceIssuerName", "ProviderName", "PublisherName",
      "ServiceCategory", "ServiceName", "ResourceName", "BilledCost", "EffectiveCost", "ListCost", "ContractedCost",
      "x_AiModel", "x_AiTokenType", "x_AiDeploymentType", "x_AiService")
    SELECT 'r' || a || '-' || m || '-' || t || '-' || d, TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_days(d::INT),
      TIMESTAMPTZ '2026-01-02 00:00:00+00' + to_days(d::INT), TIMESTAMPTZ '2026-01-01 00:00:00+00', TIMESTAMPTZ '2026-02-01 00:00:00+00',
      'ba', 'USD', 'Usage', 'Usage-Based', 'Microsoft', 'Microsoft', 'Microsoft', 'AI and Machine Learning', 'Azure OpenAI',
      'acct-' || a, c, c, c * 1.1, c,
      CASE WHEN t = 3 THEN ${sqlList(MODELS)}[1 + a % ${MODELS.length}] ELSE ${sqlList(MODELS)}[1 + m] END,
      CASE t WHEN 0 THEN 'input' WHEN 1 THEN 'output' WHEN 2 THEN 'cached-input' ELSE 'none' END,
      CASE WHEN t = 3 THEN 'provisioned' ELSE 'global-standard' END, 'openai'
    FROM range(${ACCOUNTS}) r1(a), range(${MODELS.length}) r2(m), range(4) r3(t), range(${DAYS}) r4(d),
      LATERAL (SELECT CAST(((a * 7 + m * 13 + t * 17 + d * 3) % 997) / 7.0 + 0.123456789 AS DECIMAL(38,10)) AS c)
    WHERE t < 3 OR m = 0`),
  );
  // Usage: every team calls every model on three accounts every day.
  const events: UsageEvent[] = [];
  let id = 0;
  for (let d = 0; d < DAYS; d++)
    for (let team = 0; team < TEAMS; team++)
      for (let k = 0; k < 3 * MODELS.length; k++) {
        const a = (team * 3 + Math.floor(k / MODELS.length)) % ACCOUNTS;
        const m = MODELS[k % MODELS.length]!;
        const ptu = m === MODELS[a % MODELS.length] && k < MODELS.length;
        events.push(
          makeUsageEvent({
            id: `e${id++}`,
            startTime: Date.UTC(2026, 0, 1 + d, 12),
            model: `${m}-2025-01-01`,
            team: `team-${team}`,
            app: `app-${team % 17}`,
            costCenter: `cc-${team % 9}`,
            environment: 'prod',
            upstream: `acct-${a}`,
            deployment: `acct-${a}-${m}${ptu ? '-ptu' : ''}`,
            deploymentType: ptu ? 'provisioned' : 'global-standard',
            inputTokens: 1000 + team * 10,
            cachedInputTokens: 100,
            outputTokens: 200 + k,
            // Priced near what the export bills per account-model-day, so most cost is attributable.
            costNanos: 150_000_000_000n + 1_000_000_000n * BigInt(team),
            listCostNanos: 165_000_000_000n + 1_100_000_000n * BigInt(team),
          }),
        );
      }
  await time(`seed ${events.length} usage lines (appender)`, () => store.appendUsage(events));
  const cfg = configSchema.parse({});
  const settings = allocationSettings(cfg);
  const pa = await time('load + allocate 2026-01', () => allocatePeriod(store, '2026-01', settings));
  const prev = await allocatePeriod(store, '2025-12', settings);
  const cb = await time('chargeback by team', async () => buildChargeback(pa.result, prev.result, 'team'));
  if (!chargebackBalances(cb) || sumNanos(pa.result.pieces.map((p) => p.nanos)) !== pa.result.totalNanos)
    throw new Error('allocation does not balance');
  const w = monthWindow('2026-01');
  const lines = await time('reconcile by deployment (load + explain)', async () =>
    reconcile(await loadCostGroups(store, w, []), await loadMeteredUsage(store, w), {
      by: 'deployment',
      thresholdPct: 0.05,
    }),
  );
  const each = await time('load + allocate every row (export input)', () =>
    allocatePeriod(store, '2026-01', settings, { rows: 'each' }),
  );
  if (each.result.totalNanos !== pa.result.totalNanos) throw new Error('grouped and per-row totals differ');
  const csv = await time('FOCUS export rows + CSV text', async () =>
    toCsv(FOCUS_EXPORT_COLUMNS, focusExportRows(each, 'team', 'unallocated')),
  );
  console.log(
    `cost rows ${each.rows.length} (${pa.rows.length} groups), usage groups ${pa.usage.length}, pieces ${pa.result.pieces.length}, ` +
      `reconcile lines ${lines.length}, export ${(csv.length / 1e6).toFixed(1)} MB, balance exact: yes, ` +
      `unallocated ${(Number(pa.result.unallocatedNanos) / 1e9).toFixed(2)} of ${(Number(pa.result.totalNanos) / 1e9).toFixed(2)} USD`,
  );
  await store.close();
  console.log(`store ${(statSync(db).size / 1e6).toFixed(1)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function sqlList(xs: readonly string[]): string {
  return `[${xs.map((x) => `'${x}'`).join(', ')}]`;
}
