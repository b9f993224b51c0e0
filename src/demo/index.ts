/**
 * demo: a deterministic (seeded) organisation loaded into the store: usage events with seasonality, growth and
 * injected incidents (ground truth in kv `demo/incidents`), the matching Azure FOCUS cost export, and a business
 * KPI series. Re-running replaces the previous demo data.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fineTunedHostingPerHour, type Discount } from '../catalog/index.js';
import { TallyError, nanosToUsd, type TallyConfig } from '../core/index.js';
import { localBaseFor, type CostStore } from '../store/index.js';
import { runDemoAnalyses, type DemoAnalyses } from './_analyses.js';
import { GATEWAY_BYPASS, buildExportRows, exportCsv } from './_export.js';
import { planIncidents, type IncidentTruth } from './_incidents.js';
import { buildKpis, kpiCsv } from './_kpis.js';
import { clearDemo, ingestExport, loadKpis } from './_load.js';
import { NEGOTIATED_DISCOUNT_PERCENT, STREAMS, TEAMS } from './_org.js';
import { summariseUsage, type ModelSpend, type Mover, type TeamSpend } from './_summary.js';
import { generateUsage } from './_usage.js';

export type { IncidentTruth, IncidentKind, IncidentScope } from './_incidents.js';
export type { ModelSpend, Mover, TeamSpend } from './_summary.js';
export type { DemoAnalyses, DemoChargeback, DemoReconcile, DemoUnitEconomics } from './_analyses.js';
export type { DemoAnomalies, IncidentGrade } from './_anomalies.js';
export { demoAnomalies } from './_anomalies.js';
export type { DemoBudgets, DemoForecast } from './_budgets.js';
export { demoPeriod } from './_analyses.js';

/** Options for buildDemo. */
export interface DemoOptions {
  readonly store: CostStore;
  /** Store file path; the CSVs go to `<its dir>/demo/`. ':memory:' writes under ./.tally/demo. */
  readonly dbPath: string;
  /** Days of history (default 90). */
  readonly days?: number;
  readonly seed?: number;
  /** Exclusive end of the period (UTC midnight); default today's UTC midnight. */
  readonly end?: Date;
  /** Events per store append (default 50,000). */
  readonly chunk?: number;
  readonly onProgress?: (phase: string, done: number, total: number) => void;
  /** tally.yaml (allocation rules, anomaly settings, config budgets) for the analyses. */
  readonly config?: TallyConfig;
  /** Build the data only; skip the analyses (chargeback, reconcile, ..., anomalies). */
  readonly skipAnalyses?: boolean;
  /** Called as each analysis starts. */
  readonly onAnalysis?: (name: string) => void;
  /**
   * Also generate the calendar month after the period (usage, export, KPIs) so the forecast made at the period's
   * end can be checked against the bill the demo then produces. The analyses still run as of the period's end.
   */
  readonly nextMonth?: boolean;
}

/** What the demo built and, unless skipped, what the analyses found. Money in USD numbers (exact in the store). */
export interface DemoResult extends Partial<DemoAnalyses> {
  seed: number;
  days: number;
  from: string;
  to: string;
  teams: number;
  apps: number;
  events: number;
  costUsd: number;
  /** Exact total in nano-USD, as a decimal string. */
  costNanos: string;
  listCostUsd: number;
  byTeam: TeamSpend[];
  byModel: ModelSpend[];
  moverWindowDays: number;
  topMovers: Mover[];
  incidents: IncidentTruth[];
  costExport: {
    file: string;
    rows: number;
    billedCostUsd: number;
    effectiveCostUsd: number;
    listCostUsd: number;
  };
  kpis: { file: string; rows: number };
  negotiatedDiscountPercent: number;
}

const DAY = 86_400_000;

/** Directory the demo CSVs are written to for a store path. */
export function demoDirFor(dbPath: string): string {
  return dbPath === ':memory:'
    ? join(process.cwd(), '.tally', 'demo')
    : join(dirname(localBaseFor(dbPath)), 'demo');
}

/** Builds (or rebuilds) the demo organisation in the store. */
export async function buildDemo(o: DemoOptions): Promise<DemoResult> {
  const days = o.days ?? 90;
  const seed = o.seed ?? 42;
  if (!Number.isInteger(days) || days < 1 || days > 3660)
    throw new TallyError('invalid_input', `--days must be a whole number from 1 to 3660 (got ${days})`, {
      field: 'days',
    });
  const endDay = o.end ?? new Date();
  const endMs = Date.UTC(endDay.getUTCFullYear(), endDay.getUTCMonth(), endDay.getUTCDate());
  const startMs = endMs - days * DAY;
  const dir = demoDirFor(o.dbPath);
  mkdirSync(dir, { recursive: true });
  const exportFile = join(dir, 'azure-focus-export.csv');
  const kpiFile = join(dir, 'business-kpis.csv');
  const discounts: Discount[] = [{ provider: 'azure', percent: NEGOTIATED_DISCOUNT_PERCENT }];

  await clearDemo(o.store, exportFile);
  const plans = planIncidents(startMs, days);
  // With nextMonth, data runs on to the end of the month after the last day (incidents stay where they were).
  const last = new Date(endMs - DAY);
  const genDays = o.nextMonth
    ? Math.round((Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + 2, 1) - startMs) / DAY)
    : days;
  const usage = await generateUsage({
    store: o.store,
    startMs,
    days: genDays,
    seed,
    incidents: plans,
    discounts,
    chunk: o.chunk ?? 50_000,
    onDay: (d) => o.onProgress?.('usage', d, genDays),
  });

  const rows = await buildExportRows(o.store, startMs, genDays);
  writeFileSync(exportFile, exportCsv(rows));
  await ingestExport(o.store, exportFile, dir);
  const kpis = buildKpis(usage.prodRequests, startMs, genDays, seed);
  writeFileSync(kpiFile, kpiCsv(kpis));
  await loadKpis(o.store, kpis);

  const hosting = fineTunedHostingPerHour().priceNanos;
  const keep = BigInt(100 - NEGOTIATED_DISCOUNT_PERCENT);
  const incidents: IncidentTruth[] = plans.map((p) => {
    const st = usage.incidents.get(p.id)!;
    const window = {
      id: p.id,
      kind: p.kind,
      scope: p.scope,
      start: new Date(p.startMs).toISOString(),
      end: new Date(p.endMs).toISOString(),
      description: p.description,
    };
    const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);
    switch (p.kind) {
      case 'prompt-growth':
        return {
          ...window,
          expected: {
            metric: 'input_tokens_per_request',
            factor: ratio(
              st.windowInput / Math.max(1, st.windowRequests),
              st.outsideInput / Math.max(1, st.outsideRequests),
            ),
            extraRequests: 0,
            extraCostUsd: nanosToUsd(st.extraCostNanos),
          },
        };
      case 'idle-fine-tuned-deployment': {
        const idleHours = Math.round((p.endMs - p.startMs) / 3_600_000);
        return {
          ...window,
          expected: {
            metric: 'idle_hosting_hours',
            factor: null,
            extraRequests: 0,
            extraCostUsd: nanosToUsd((hosting * BigInt(idleHours) * keep) / 100n),
          },
        };
      }
      case 'retry-loop':
      case 'team-spike':
        return {
          ...window,
          expected: {
            metric: 'requests',
            factor: ratio(st.baseRequests + st.extraRequests, st.baseRequests),
            extraRequests: st.extraRequests,
            extraCostUsd: nanosToUsd(st.extraCostNanos),
          },
        };
    }
  });
  await o.store.setMeta('demo', 'incidents', incidents);
  await o.store.setMeta('demo', 'org', {
    seed,
    days,
    from: new Date(startMs).toISOString(),
    to: new Date(endMs).toISOString(),
    teams: TEAMS,
    discounts,
    exportFile,
    kpiFile,
    // Known differences between the ledger and the invoice, for reconciliation to explain.
    gatewayBypass: {
      ...GATEWAY_BYPASS,
      inputTokensPerWeekday: Number(GATEWAY_BYPASS.inputTokensPerWeekday),
      outputTokensPerWeekday: Number(GATEWAY_BYPASS.outputTokensPerWeekday),
    },
  });

  const analyses = o.skipAnalyses
    ? {}
    : await runDemoAnalyses({
        store: o.store,
        config: o.config,
        startMs,
        endMs,
        incidents,
        onPhase: o.onAnalysis,
        nextMonth: o.nextMonth ?? false,
      });
  const s = await summariseUsage(o.store, startMs, endMs);
  const sum = (f: (r: (typeof rows)[number]) => bigint) => rows.reduce((a, r) => a + f(r), 0n);
  // Export amounts are in 1e-10 USD; nanosToUsd wants nanos.
  const usd = (deci: bigint) => nanosToUsd(deci / 10n);
  return {
    seed,
    days,
    from: new Date(startMs).toISOString(),
    to: new Date(endMs).toISOString(),
    teams: TEAMS.length,
    apps: new Set(STREAMS.map((x) => x.app)).size,
    events: s.events,
    costUsd: nanosToUsd(s.costNanos),
    costNanos: s.costNanos.toString(),
    listCostUsd: nanosToUsd(s.listCostNanos),
    byTeam: s.byTeam,
    byModel: s.byModel,
    moverWindowDays: s.moverWindowDays,
    topMovers: s.topMovers,
    incidents,
    costExport: {
      file: exportFile,
      rows: rows.length,
      billedCostUsd: usd(sum((r) => r.billed)),
      effectiveCostUsd: usd(sum((r) => r.effective)),
      listCostUsd: usd(sum((r) => r.list)),
    },
    kpis: { file: kpiFile, rows: kpis.length },
    negotiatedDiscountPercent: NEGOTIATED_DISCOUNT_PERCENT,
    ...analyses,
  };
}
