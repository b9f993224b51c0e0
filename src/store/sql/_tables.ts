/** Small stored tables in portable SQL: budgets, business KPIs and the key/value metadata. */
import type { BudgetRecord, KpiInput } from '../reports.js';
import type { SqlRunner } from './dialect.js';

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const instant = (s: string | null): Date | null => (s === null ? null : new Date(s));

/** Stores a budget, replacing the one with the same id (one statement: no transaction needed). */
export async function saveBudget(r: SqlRunner, b: BudgetRecord): Promise<void> {
  await r.exec(
    `INSERT INTO budgets (id, scope_kind, scope_value, period, amount_nanos, thresholds, hard, starts_at, ends_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (id) DO UPDATE SET scope_kind = excluded.scope_kind, scope_value = excluded.scope_value,
       period = excluded.period, amount_nanos = excluded.amount_nanos, thresholds = excluded.thresholds,
       hard = excluded.hard, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
       created_at = excluded.created_at`,
    [
      b.id,
      b.scope,
      b.value,
      b.period,
      b.amountNanos,
      JSON.stringify(b.thresholds),
      b.hard,
      instant(b.startsAt),
      instant(b.endsAt),
      new Date(b.createdAt),
    ],
  );
}

/** Deletes a budget; false when there was none. */
export async function deleteBudget(r: SqlRunner, id: string): Promise<boolean> {
  const found = await r.query('SELECT 1 AS x FROM budgets WHERE id = $1', [id]);
  if (found.length === 0) return false;
  await r.exec('DELETE FROM budgets WHERE id = $1', [id]);
  return true;
}

/** Every stored budget by id; thresholds parsed from their JSON text. */
export async function listBudgets(r: SqlRunner): Promise<BudgetRecord[]> {
  const rows = await r.query(
    `SELECT id, scope_kind, scope_value, period, CAST(amount_nanos AS VARCHAR) AS amount,
            CAST(thresholds AS VARCHAR) AS thresholds, hard, starts_at, ends_at, created_at FROM budgets ORDER BY id`,
  );
  return rows.map((row) => ({
    id: String(row['id']),
    scope: String(row['scope_kind']),
    value: row['scope_value'] === null ? null : String(row['scope_value']),
    period: String(row['period']),
    amountNanos: BigInt(String(row['amount'])),
    thresholds: JSON.parse(String(row['thresholds'] ?? 'null')) as unknown,
    hard: row['hard'] === true,
    startsAt: iso(row['starts_at']),
    endsAt: iso(row['ends_at']),
    createdAt: String(row['created_at']),
  }));
}

/** Stores KPI values, a few hundred per statement. */
export async function insertKpis(r: SqlRunner, rows: readonly KpiInput[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const params = chunk.flatMap((k) => [k.day, k.app, k.team, k.group ?? null, k.metric, k.value, k.source]);
    const values = chunk
      .map((_, j) => {
        const b = j * 7;
        return `(CAST($${b + 1} AS DATE), $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, CAST($${b + 6} AS DECIMAL(38,6)), $${b + 7})`;
      })
      .join(', ');
    await r.exec(
      `INSERT INTO business_kpis (day, app, team, kpi_group, metric, value, source) VALUES ${values}`,
      params,
    );
  }
}

/** Deletes one source's KPI values. */
export async function deleteKpis(r: SqlRunner, source: string): Promise<void> {
  await r.exec('DELETE FROM business_kpis WHERE source = $1', [source]);
}

/** Reads a JSON metadata value (null when absent). */
export async function getMeta(r: SqlRunner, namespace: string, key: string): Promise<unknown> {
  const rows = await r.query(
    'SELECT CAST(value AS VARCHAR) AS value FROM kv WHERE namespace = $1 AND key = $2',
    [namespace, key],
  );
  const v = rows[0]?.['value'];
  return typeof v === 'string' ? (JSON.parse(v) as unknown) : (v ?? null);
}

/** Writes a JSON metadata value (insert or replace). */
export async function setMeta(r: SqlRunner, namespace: string, key: string, value: unknown): Promise<void> {
  await r.exec(
    `INSERT INTO kv (namespace, key, value, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    [namespace, key, JSON.stringify(value)],
  );
}
