/** `chargeback --with-carbon`: energy and emissions ranges beside each consumer's cost (same period, same grouping). */
import { monthWindow, type TallyConfig } from '../../core/index.js';
import {
  allocationSettings,
  carbonReport,
  loadGridFactors,
  loadMeasuredEnergy,
  loadTokenGroups,
  type CarbonBy,
} from '../../analytics/index.js';
import type { CsvValue } from '../../export/index.js';
import type { CostStore } from '../../store/index.js';

/** Adds energyWhLow/High and co2eGramsLow/High (location-based) to rows keyed by `key` (team, app, ...). */
export async function withCarbonColumns(
  store: CostStore,
  period: string,
  by: CarbonBy,
  key: string,
  rows: Record<string, CsvValue>[],
  config?: TallyConfig,
): Promise<Record<string, CsvValue>[]> {
  const w = monthWindow(period);
  const s = allocationSettings(config);
  const measured = await loadMeasuredEnergy(store, s.hosted ?? [], w, by, s);
  const report = carbonReport(
    await loadTokenGroups(store, w, by),
    loadGridFactors(),
    { kind: 'location' },
    measured.energy,
  );
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
