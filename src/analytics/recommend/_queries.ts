/**
 * Named queries for recommendations. Each builds its SQL with literal window bounds (quotes doubled) and runs
 * exactly that text, so the evidence a recommendation prints can be pasted into `tally sql` unchanged. The text
 * is SQL that DuckDB and PostgreSQL both run alike (ADR 0025): the latest value is `(array_agg(x ORDER BY t
 * DESC, x))[1]`, not DuckDB's `arg_max`; JSON fields are `->>`; groups and orders are by position, not `ALL`;
 * FOCUS columns are quoted (PostgreSQL folds unquoted names to lower case); instants come back as ISO text.
 */
import type { AppliedRate, ExchangeRate, TimeWindow } from '../../core/index.js';
import type { CostStore, Row } from '../../store/index.js';
import type { MinuteLoad } from './_ptu-replay.js';
import type { HostedCost } from '../hosting/index.js';
import { sqlText, sqlTime } from './_types.js';
import { BY_CURRENCY_DAY, UsdSums } from './_usd.js';

/** A provisioned deployment seen in the ledger. */
export interface PtuDeploymentRow {
  readonly deployment: string;
  readonly upstream: string;
  readonly model: string;
  readonly region: string | null;
  readonly requests: number;
  readonly environments: readonly string[];
}

/** PTU billing of one account (Azure resource) in the window, from the cost exports. */
export interface PtuBillingRow {
  readonly account: string;
  readonly meter: string;
  /** Committed (reservation-covered) or Standard (hourly) usage; Purchase rows are reservation charges. */
  readonly chargeCategory: string;
  readonly pricingCategory: string;
  readonly commitmentStatus: string | null;
  readonly commitmentName: string | null;
  readonly hours: number;
  readonly listNanos: bigint;
  readonly effectiveNanos: bigint;
}

/** Fine-tuned hosting of one account and base model in the window, from the exports. */
export interface HostingRow {
  readonly account: string;
  readonly model: string;
  readonly hours: number;
  readonly listNanos: bigint;
  readonly effectiveNanos: bigint;
}

/** Ledger traffic of a fine-tuned deployment: requests in the window and the last request ever before its end. */
export interface FineTunedTrafficRow {
  readonly upstream: string;
  readonly deployment: string;
  readonly model: string;
  readonly requestsInWindow: number;
  readonly lastRequest: string | null;
}

/** Ledger traffic of one app on one deployment in the window, with what the workload rules need. */
export interface TrafficRow {
  readonly app: string;
  readonly team: string | null;
  readonly environment: string | null;
  readonly deployment: string;
  readonly upstream: string | null;
  readonly model: string;
  readonly deploymentType: string;
  readonly operation: string;
  readonly requests: number;
  readonly uncached: number;
  readonly cached: number;
  readonly output: number;
  readonly streamed: number;
  /** Requests starting 00:00–05:59 UTC. */
  readonly night: number;
  readonly endUsers: number;
  /** Tag values seen (any request): task, data_residency, batch/interactive hints. */
  readonly task: string | null;
  readonly residency: string | null;
  /** A request was tagged batch=true or interactive=false. */
  readonly batchTag: boolean;
}

/** Long prompts of one app and deployment that share a fingerprinted 1,024-token prefix. */
export interface PrefixRow {
  readonly app: string | null;
  readonly team: string | null;
  readonly deployment: string;
  readonly model: string;
  readonly deploymentType: string;
  readonly prefix: string;
  readonly requests: number;
  /** Requests after the first of each hour that used the prefix: the ones a prompt cache could serve. */
  readonly repeats: number;
  readonly cached: number;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
// Money columns are DECIMAL(38,10); cast to VARCHAR in SQL and parse exactly here.
const nanos = (v: unknown): bigint => {
  if (v === null || v === undefined) return 0n;
  const [i = '0', f = ''] = String(v).split('.');
  const neg = i.startsWith('-');
  const frac = (f + '000000000').slice(0, 9);
  const n = BigInt(i.replace('-', '') || '0') * 1_000_000_000n + BigInt(frac);
  return neg ? -n : n;
};

/** The value of `expr` on the latest event of the group (ties: the smallest value), on either backend. */
const latest = (expr: string) => `(array_agg(${expr} ORDER BY start_time DESC, ${expr}))[1]`;
/** A top-level field of the tags JSON as text. */
const tag = (key: string) => `(tags ->> ${sqlText(key)})`;
/** `GROUP BY` / `ORDER BY` positions 1..n. */
const positions = (n: number) => Array.from({ length: n }, (_, i) => i + 1).join(', ');

const inWindow = (col: string, w: TimeWindow) => `${col} >= ${sqlTime(w.from)} AND ${col} < ${sqlTime(w.to)}`;

/** SQL: provisioned deployments in the ledger. */
export function ptuDeploymentsSql(w: TimeWindow): string {
  return `SELECT deployment, coalesce(upstream, '') AS upstream, ${latest('model')} AS model,
  max(region) AS region, count(*) AS requests,
  string_agg(DISTINCT coalesce(environment, ''), ',' ORDER BY coalesce(environment, '')) AS envs
FROM usage_events WHERE deployment_type = 'provisioned' AND ${inWindow('start_time', w)}
GROUP BY 1, 2 ORDER BY 1, 2`;
}

/** SQL: per-minute uncached input, cached input and output tokens of one provisioned deployment. */
export function minuteLoadSql(w: TimeWindow, deployment: string, upstream: string): string {
  return `SELECT date_trunc('minute', start_time) AS minute,
  sum(input_tokens - cached_input_tokens) AS uncached, sum(cached_input_tokens) AS cached, sum(output_tokens) AS output
FROM usage_events WHERE deployment_type = 'provisioned' AND deployment = ${sqlText(deployment)}
  AND coalesce(upstream, '') = ${sqlText(upstream)} AND ${inWindow('start_time', w)}
GROUP BY 1 ORDER BY 1`;
}

/** Environments counted as production; any other (dev, test, staging...) is non-production. No environment: prod. */
export const PROD_ENVIRONMENTS = ['prod', 'production'] as const;
const nonProd = `coalesce(lower(environment), 'prod') NOT IN (${PROD_ENVIRONMENTS.map(sqlText).join(', ')})`;

/** SQL: the production part of one provisioned deployment's per-minute load (what would stay on PTU). */
export function prodMinuteLoadSql(w: TimeWindow, deployment: string, upstream: string): string {
  return minuteLoadSql(w, deployment, upstream).replace(
    'GROUP BY 1 ORDER BY 1',
    `AND NOT (${nonProd})\nGROUP BY 1 ORDER BY 1`,
  );
}

/** SQL: the non-production tokens of one provisioned deployment (what would move to pay-as-you-go). */
export function nonProdTokensSql(w: TimeWindow, deployment: string, upstream: string): string {
  return `SELECT count(*) AS requests, coalesce(sum(input_tokens - cached_input_tokens), 0) AS uncached,
  coalesce(sum(cached_input_tokens), 0) AS cached, coalesce(sum(output_tokens), 0) AS output,
  coalesce(string_agg(DISTINCT environment, ',' ORDER BY environment), '') AS envs
FROM usage_events WHERE deployment_type = 'provisioned' AND deployment = ${sqlText(deployment)}
  AND coalesce(upstream, '') = ${sqlText(upstream)} AND ${nonProd} AND ${inWindow('start_time', w)}`;
}

/** A provisioned deployment's non-production traffic and its production minutes. */
export interface PtuNonProdRow {
  readonly sql: string;
  readonly requests: number;
  readonly uncached: number;
  readonly cached: number;
  readonly output: number;
  readonly environments: readonly string[];
  readonly prodSql: string;
  readonly prodMinutes: readonly MinuteLoad[];
}

/** SQL: fingerprinted long-prompt prefixes repeated within an hour, per app and deployment (portable SQL). */
export function prefixSql(w: TimeWindow): string {
  return `SELECT app, team, deployment, model, deployment_type, prefix, sum(n) AS requests, sum(n - 1) AS repeats,
  sum(cached) AS cached
FROM (SELECT app, team, coalesce(deployment, '') AS deployment, model, deployment_type,
    prompt_prefix_hash AS prefix, date_trunc('hour', start_time) AS hour, count(*) AS n,
    sum(cached_input_tokens) AS cached
  FROM usage_events
  WHERE prompt_prefix_hash IS NOT NULL AND http_status < 400 AND ${inWindow('start_time', w)}
  GROUP BY app, team, deployment, model, deployment_type, prompt_prefix_hash, date_trunc('hour', start_time)) AS per_hour
GROUP BY app, team, deployment, model, deployment_type, prefix
HAVING sum(n - 1) > 0
ORDER BY repeats DESC, app, deployment, prefix`;
}

/** SQL: PTU hours and charges per account in the exports. */
export function ptuBillingSql(w: TimeWindow, split = false): string {
  return `SELECT "ResourceName" AS account, "SkuMeter" AS meter, "ChargeCategory", "PricingCategory",
  "CommitmentDiscountStatus", "CommitmentDiscountName", ${split ? `${BY_CURRENCY_DAY}, ` : ''}sum(coalesce("ConsumedQuantity", 0)) AS hours,
  CAST(sum("ListCost") AS VARCHAR) AS list, CAST(sum("EffectiveCost") AS VARCHAR) AS effective
FROM cost_rows WHERE "x_AiDeploymentType" IN ('provisioned', 'provisioned-reservation') AND ${inWindow('"ChargePeriodStart"', w)}
GROUP BY ${positions(split ? 8 : 6)} ORDER BY ${positions(split ? 11 : 9)}`;
}

/** SQL: effective ÷ list of pay-as-you-go AI usage (the negotiated discount actually applied). */
export function paygRateSql(w: TimeWindow, split = false): string {
  return `SELECT ${split ? `${BY_CURRENCY_DAY}, ` : ''}CAST(sum("EffectiveCost") AS VARCHAR) AS effective, CAST(sum("ListCost") AS VARCHAR) AS list
FROM cost_rows WHERE "x_AiService" = 'openai' AND "ChargeCategory" = 'Usage' AND "PricingCategory" = 'Standard'
  AND "ListCost" > 0 AND ${inWindow('"ChargePeriodStart"', w)}${split ? '\nGROUP BY 1, 2 ORDER BY 1, 2' : ''}`;
}

/** SQL: one AI cost row of the window billed in a currency other than USD, if any. */
export function otherCurrencySql(w: TimeWindow): string {
  return `SELECT "BillingCurrency" FROM cost_rows WHERE upper(trim(coalesce("BillingCurrency", 'USD'))) <> 'USD'
  AND ${inWindow('"ChargePeriodStart"', w)} LIMIT 1`;
}

/** SQL: fine-tuned hosting hours per account and base model. */
export function hostingSql(w: TimeWindow, split = false): string {
  return `SELECT "ResourceName" AS account, coalesce("x_AiModel", '') AS model, ${split ? `${BY_CURRENCY_DAY}, ` : ''}sum("ConsumedQuantity") AS hours,
  CAST(sum("ListCost") AS VARCHAR) AS list, CAST(sum("EffectiveCost") AS VARCHAR) AS effective
FROM cost_rows WHERE "x_AiDeploymentType" = 'fine-tune-hosting' AND ${inWindow('"ChargePeriodStart"', w)}
GROUP BY ${positions(split ? 4 : 2)} ORDER BY ${positions(split ? 7 : 5)}`;
}

/** SQL: usage hours and cost of one account's meters of a kind (and model) charged from `since` to the window end. */
export function costSinceSql(
  account: string,
  kind: 'fine-tune-hosting' | 'provisioned',
  model: string | null,
  since: Date,
  to: Date,
  split = false,
): string {
  return `SELECT ${split ? `${BY_CURRENCY_DAY}, ` : ''}sum("ConsumedQuantity") AS hours, CAST(sum("EffectiveCost") AS VARCHAR) AS effective,
  CAST(sum("ListCost") AS VARCHAR) AS list
FROM cost_rows WHERE "x_AiDeploymentType" = ${sqlText(kind)} AND "ChargeCategory" = 'Usage' AND "ResourceName" = ${sqlText(account)}
  ${model === null ? '' : `AND coalesce("x_AiModel", '') = ${sqlText(model)} `}AND "ChargePeriodStart" >= ${sqlTime(since)} AND "ChargePeriodStart" < ${sqlTime(to)}${split ? '\nGROUP BY 1, 2 ORDER BY 1, 2' : ''}`;
}

/** SQL: the last provisioned request per account before the window end. */
export function ptuLastRequestSql(w: TimeWindow): string {
  return `SELECT coalesce(upstream, '') AS upstream, max(start_time) AS last
FROM usage_events WHERE deployment_type = 'provisioned' AND start_time < ${sqlTime(w.to)} GROUP BY 1 ORDER BY 1`;
}

/** SQL: fine-tuned deployments' traffic in the window and their last request before its end. */
export function fineTunedTrafficSql(w: TimeWindow): string {
  return `SELECT coalesce(upstream, '') AS upstream, deployment, ${latest('model')} AS model,
  count(*) FILTER (WHERE start_time >= ${sqlTime(w.from)}) AS requests, max(start_time) AS last
FROM usage_events WHERE deployment_type = 'fine-tuned' AND start_time < ${sqlTime(w.to)}
GROUP BY 1, 2 ORDER BY 1, 2`;
}

/** SQL: traffic per app and deployment with streaming, night share, end users and hint tags. */
export function trafficSql(w: TimeWindow): string {
  return `SELECT coalesce(app, '') AS app, max(team) AS team, max(environment) AS environment, coalesce(deployment, '') AS deployment,
  max(upstream) AS upstream, ${latest('model')} AS model, deployment_type, max(operation) AS operation, count(*) AS requests,
  sum(input_tokens - cached_input_tokens) AS uncached, sum(cached_input_tokens) AS cached, sum(output_tokens) AS output,
  count(*) FILTER (WHERE streamed) AS streamed,
  count(*) FILTER (WHERE extract(hour FROM start_time AT TIME ZONE 'UTC') < 6) AS night,
  count(DISTINCT end_user) AS end_users, max(${tag('task')}) AS task,
  max(coalesce(${tag('data_residency')}, ${tag('data-residency')})) AS residency,
  bool_or(lower(${tag('batch')}) IN ('true', 'yes', '1') OR lower(${tag('interactive')}) IN ('false', 'no', '0')) AS batch_tag
FROM usage_events WHERE http_status < 400 AND ${inWindow('start_time', w)}
GROUP BY app, deployment, deployment_type ORDER BY ${positions(18)}`;
}

/** Everything the rules read, for one window. */
export interface RecommendInputs {
  readonly window: TimeWindow;
  /** Hours in the window (the monthly scaling divides by it). */
  readonly hours: number;
  readonly paygRate: { readonly effective: bigint; readonly list: bigint; readonly sql: string };
  /** Rates that brought cost rows billed in another currency to USD (empty: every row was in USD). */
  readonly exchangeRates?: readonly AppliedRate[];
  readonly ptuDeployments: readonly PtuDeploymentRow[];
  readonly minuteLoads: ReadonlyMap<
    string,
    { readonly sql: string; readonly minutes: readonly MinuteLoad[] }
  >;
  readonly ptuBilling: readonly PtuBillingRow[];
  /** Provisioned deployments with non-production traffic (by loadKey). */
  readonly ptuNonProd: ReadonlyMap<string, PtuNonProdRow>;
  readonly hosting: readonly HostingRow[];
  readonly fineTuned: readonly FineTunedTrafficRow[];
  readonly traffic: readonly TrafficRow[];
  /** Repeated long-prompt prefixes and the SQL that found them. */
  readonly prefixes: readonly PrefixRow[];
  readonly prefixSql: string;
  /** The last provisioned request per account (any time before the window end). */
  readonly ptuLastRequest: ReadonlyMap<string, string>;
  /** Self-hosted deployments priced over the window (from tally.yaml; ADR 0026), when the caller has a config. */
  readonly hostedCosts?: readonly HostedCost[];
  /** Hosting or PTU charged since a date (account|model-or-ptu|ISO date → figures), filled for idle candidates. */
  readonly accruedSince: ReadonlyMap<
    string,
    { sql: string; hours: number; effectiveNanos: bigint; listNanos: bigint }
  >;
}

/** Key of a deployment's minute series. */
export const loadKey = (deployment: string, upstream: string): string => `${upstream}|${deployment}`;

/** Key of a hosting-since figure. */
export const sinceKey = (account: string, model: string, since: Date): string =>
  `${account}|${model}|${since.toISOString()}`;

/** The day after the last request (hosting is charged per day in exports; that day's hours are all idle). */
export function idleSince(lastRequest: string | null, w: TimeWindow): Date {
  if (lastRequest === null) return w.from;
  const d = new Date(lastRequest);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
}

/**
 * The window clipped to the whole UTC days the ledger covers, so a month with 20 days of data is scaled from
 * 480 hours, not 720 (deployed PTU = PTU-hours ÷ hours would read 2/3 of the truth otherwise).
 */
export async function coveredWindow(store: CostStore, w: TimeWindow): Promise<TimeWindow> {
  const { first, last } = await store.usageExtent(w);
  if (first === null || last === null) return w;
  const day = 86_400_000;
  const lo = Math.floor(first.getTime() / day) * day;
  const hi = (Math.floor(last.getTime() / day) + 1) * day;
  return { from: new Date(Math.max(lo, w.from.getTime())), to: new Date(Math.min(hi, w.to.getTime())) };
}

/** Loads every input for the window. Cost rows are optional (no exports ingested: rules that need them stay quiet). */
export async function loadRecommendInputs(
  store: CostStore,
  month: TimeWindow,
  rates: readonly ExchangeRate[] = [],
): Promise<RecommendInputs> {
  const w = await coveredWindow(store, month);
  // The evidence SQL a recommendation prints runs through the same sandboxed door a user pastes it into.
  const q = (sql: string): Promise<Row[]> => store.readOnlySql(sql);
  // Cost sums come back per billing currency and day, and are added in USD (the catalog's currency).
  const usd = new UsdSums(store, w, rates);
  // Only a window with rows billed in another currency splits its sums by currency and day: an all-USD window's
  // evidence SQL stays one total per group, pasted into `tally sql` as it is.
  const split = (await q(otherCurrencySql(w))).length > 0;
  const ptuDeployments = (await q(ptuDeploymentsSql(w))).map((r) => ({
    deployment: String(r['deployment']),
    upstream: String(r['upstream']),
    model: String(r['model']),
    region: str(r['region']),
    requests: num(r['requests']),
    environments: String(r['envs'] ?? '')
      .split(',')
      .filter(Boolean),
  }));
  const minuteLoads = new Map<string, { sql: string; minutes: MinuteLoad[] }>();
  for (const d of ptuDeployments) {
    const sql = minuteLoadSql(w, d.deployment, d.upstream);
    const minutes = (await q(sql)).map((r) => ({
      uncached: num(r['uncached']),
      cached: num(r['cached']),
      output: num(r['output']),
    }));
    minuteLoads.set(loadKey(d.deployment, d.upstream), { sql, minutes });
  }
  const ptuNonProd = new Map<string, PtuNonProdRow>();
  const isProd = (e: string) => (PROD_ENVIRONMENTS as readonly string[]).includes(e.toLowerCase());
  for (const d of ptuDeployments) {
    if (d.environments.every((e) => e === '' || isProd(e))) continue;
    const sql = nonProdTokensSql(w, d.deployment, d.upstream);
    const [t] = await q(sql);
    const prodSql = prodMinuteLoadSql(w, d.deployment, d.upstream);
    const prodMinutes = (await q(prodSql)).map((r) => ({
      uncached: num(r['uncached']),
      cached: num(r['cached']),
      output: num(r['output']),
    }));
    ptuNonProd.set(loadKey(d.deployment, d.upstream), {
      sql,
      requests: num(t?.['requests']),
      uncached: num(t?.['uncached']),
      cached: num(t?.['cached']),
      output: num(t?.['output']),
      environments: String(t?.['envs'] ?? '')
        .split(',')
        .filter(Boolean),
      prodSql,
      prodMinutes,
    });
  }
  const rateSql = paygRateSql(w, split);
  // Every store has cost_rows (migration 1); without exports these queries simply return no rows.
  const rate = (await usd.sum(await q(rateSql), []))[0];
  const ptuBilling = (
    await usd.sum(await q(ptuBillingSql(w, split)), [
      'account',
      'meter',
      'ChargeCategory',
      'PricingCategory',
      'CommitmentDiscountStatus',
      'CommitmentDiscountName',
    ])
  ).map((r) => ({
    account: String(r['account']),
    meter: String(r['meter']),
    chargeCategory: String(r['ChargeCategory']),
    pricingCategory: String(r['PricingCategory']),
    commitmentStatus: str(r['CommitmentDiscountStatus']),
    commitmentName: str(r['CommitmentDiscountName']),
    hours: num(r['hours']),
    listNanos: nanos(r['list']),
    effectiveNanos: nanos(r['effective']),
  }));
  const hosting = (await usd.sum(await q(hostingSql(w, split)), ['account', 'model'])).map((r) => ({
    account: String(r['account']),
    model: String(r['model']),
    hours: num(r['hours']),
    listNanos: nanos(r['list']),
    effectiveNanos: nanos(r['effective']),
  }));
  const fineTuned = (await q(fineTunedTrafficSql(w))).map((r) => ({
    upstream: String(r['upstream']),
    deployment: String(r['deployment']),
    model: String(r['model']),
    requestsInWindow: num(r['requests']),
    lastRequest: str(r['last']),
  }));
  const accruedSince = new Map<
    string,
    { sql: string; hours: number; effectiveNanos: bigint; listNanos: bigint }
  >();
  const accrue = async (key: string, sql: string) => {
    const [r] = await usd.sum(await q(sql), []);
    accruedSince.set(key, {
      sql,
      hours: num(r?.['hours']),
      effectiveNanos: nanos(r?.['effective']),
      listNanos: nanos(r?.['list']),
    });
  };
  for (const h of hosting) {
    const ft = fineTuned.filter((f) => f.upstream === h.account);
    const last =
      ft
        .map((f) => f.lastRequest)
        .filter((x): x is string => x !== null)
        .sort()
        .at(-1) ?? null;
    const since = idleSince(last, w);
    await accrue(
      sinceKey(h.account, h.model, since),
      costSinceSql(h.account, 'fine-tune-hosting', h.model, since, w.to, split),
    );
  }
  const ptuLastRequest = new Map(
    (await q(ptuLastRequestSql(w))).map((r) => [String(r['upstream']), String(r['last'])] as const),
  );
  const ptuAccounts = new Set(ptuBilling.filter((b) => b.chargeCategory === 'Usage').map((b) => b.account));
  for (const account of ptuAccounts) {
    if (ptuDeployments.some((d) => d.upstream === account)) continue;
    const since = idleSince(ptuLastRequest.get(account) ?? null, w);
    await accrue(
      sinceKey(account, 'ptu', since),
      costSinceSql(account, 'provisioned', null, since, w.to, split),
    );
  }
  const traffic = (await q(trafficSql(w))).map((r) => ({
    app: String(r['app']),
    team: str(r['team']),
    environment: str(r['environment']),
    deployment: String(r['deployment']),
    upstream: str(r['upstream']),
    model: String(r['model']),
    deploymentType: String(r['deployment_type']),
    operation: String(r['operation']),
    requests: num(r['requests']),
    uncached: num(r['uncached']),
    cached: num(r['cached']),
    output: num(r['output']),
    streamed: num(r['streamed']),
    night: num(r['night']),
    endUsers: num(r['end_users']),
    task: str(r['task']),
    residency: str(r['residency']),
    batchTag: r['batch_tag'] === true,
  }));
  const pSql = prefixSql(w);
  const prefixes = (await q(pSql)).map((r) => ({
    app: str(r['app']),
    team: str(r['team']),
    deployment: String(r['deployment']),
    model: String(r['model']),
    deploymentType: String(r['deployment_type']),
    prefix: String(r['prefix']),
    requests: num(r['requests']),
    repeats: num(r['repeats']),
    cached: num(r['cached']),
  }));
  return {
    window: w,
    hours: Math.round((w.to.getTime() - w.from.getTime()) / 3_600_000),
    paygRate: { effective: nanos(rate?.['effective']), list: nanos(rate?.['list']), sql: rateSql },
    exchangeRates: usd.applied(),
    ptuDeployments,
    minuteLoads,
    ptuBilling,
    ptuNonProd,
    hosting,
    fineTuned,
    traffic,
    prefixes,
    prefixSql: pSql,
    ptuLastRequest,
    accruedSince,
  };
}

/** The last calendar month (YYYY-MM) that ends by the ledger's latest event; null for an empty ledger. */
export async function latestCompleteMonth(store: CostStore): Promise<string | null> {
  const { last } = await store.usageExtent();
  if (last === null) return null;
  const m = new Date(last.getTime() + 3_600_000).toISOString().slice(0, 7);
  const [y, mo] = m.split('-').map(Number) as [number, number];
  return mo === 1 ? `${y - 1}-12` : `${y}-${String(mo - 1).padStart(2, '0')}`;
}
