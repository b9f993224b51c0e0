/**
 * The business KPI series that goes with the demo traffic: conversations, tickets resolved, searches, orders and
 * revenue per day, derived from each app's successful prod requests so cost per outcome is meaningful.
 */
import { Prng } from './_prng.js';
import { decimal } from './_money.js';
import { toCsv } from '../core/index.js';

/** One KPI value: a day, the app and its team, the metric and its value (decimal string). */
export interface KpiRow {
  readonly date: string;
  readonly app: string;
  readonly team: string;
  readonly metric: string;
  readonly value: string;
}

const DAY = 86_400_000;

/** Builds the KPI rows from successful prod requests per "dayIndex|app". */
export function buildKpis(
  prodRequests: ReadonlyMap<string, number>,
  startMs: number,
  days: number,
  seed: number,
): KpiRow[] {
  const rng = new Prng(seed ^ 0x6b70_6973);
  const rows: KpiRow[] = [];
  const reqs = (d: number, app: string) => prodRequests.get(`${d}|${app}`) ?? 0;
  const jitter = () => 0.93 + 0.14 * rng.next();
  for (let d = 0; d < days; d++) {
    const date = new Date(startMs + d * DAY).toISOString().slice(0, 10);
    const add = (app: string, team: string, metric: string, value: string) =>
      rows.push({ date, app, team, metric, value });
    // About 4.5 model calls per support conversation, 62 % of conversations resolve the ticket.
    const supportConv = Math.round((reqs(d, 'support-chatbot') / 4.5) * jitter());
    add('support-chatbot', 'support', 'conversations', String(supportConv));
    add('support-chatbot', 'support', 'tickets_resolved', String(Math.round(supportConv * 0.62 * jitter())));
    add('rag-search', 'search', 'searches', String(Math.round(reqs(d, 'rag-search') * 0.55 * jitter())));
    // Shopping: 3 calls per conversation, 8 % convert, average order about $64 (revenue in cents, then dollars).
    const shopConv = Math.round((reqs(d, 'shopping-assistant') / 3) * jitter());
    const orders = Math.round(shopConv * 0.08 * jitter());
    add('shopping-assistant', 'commerce', 'conversations', String(shopConv));
    add('shopping-assistant', 'commerce', 'orders', String(orders));
    add(
      'shopping-assistant',
      'commerce',
      'revenue',
      decimal(BigInt(Math.round(orders * 6400 * jitter())), 2),
    );
    add('claims-classifier', 'claims', 'claims_processed', String(reqs(d, 'claims-classifier')));
    add(
      'pr-reviewer',
      'engineering',
      'pull_requests_reviewed',
      String(Math.round(reqs(d, 'pr-reviewer') / 1.6)),
    );
  }
  return rows;
}

/** CSV text of the KPI rows (date,app,team,metric,value). */
export function kpiCsv(rows: readonly KpiRow[]): string {
  return toCsv(
    ['date', 'app', 'team', 'metric', 'value'],
    rows.map((r) => ({ ...r })),
    {
      eol: '\n',
    },
  );
}
