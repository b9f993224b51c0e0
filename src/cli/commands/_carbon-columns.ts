/** `chargeback --with-carbon`: energy and emissions ranges beside each consumer's cost (same period, same grouping). */
import { monthWindow } from '../../core/index.js';
import { carbonReport, loadGridFactors, loadTokenGroups, type CarbonBy } from '../../analytics/index.js';
import type { CsvValue } from '../../export/index.js';
import type { CostStore } from '../../store/index.js';

/** Adds energyWhLow/High and co2eGramsLow/High (location-based) to rows keyed by `key` (team, app, ...). */
export async function withCarbonColumns(
  store: CostStore,
  period: string,
  by: CarbonBy,
  key: string,
  rows: Record<string, CsvValue>[],
): Promise<Record<string, CsvValue>[]> {
  const report = carbonReport(await loadTokenGroups(store, monthWindow(period), by), loadGridFactors(), {
    kind: 'location',
  });
  const byKey = new Map(report.rows.map((r) => [r.key, r]));
  return rows.map((row) => {
    const c = byKey.get(row[key] === null || row[key] === undefined ? null : String(row[key]));
    return {
      ...row,
      energyWhLow: c?.energyWh.low ?? 0,
      energyWhHigh: c?.energyWh.high ?? 0,
      co2eGramsLow: c?.co2eGrams.low ?? 0,
      co2eGramsHigh: c?.co2eGrams.high ?? 0,
    };
  });
}
