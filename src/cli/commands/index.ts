/**
 * The command registry. One file per command; add yours to the list (keep it sorted by name within your block).
 */
import type { Command } from '../command.js';
import { sqlCommand } from './sql.js';
import { tokensCommand } from './tokens.js';
import { chargebackCommand } from './chargeback.js';
import { exportFocusCommand } from './export-focus.js';

/** Every command, in help order. */
export const COMMANDS: readonly Command[] = [
  // foundation
  sqlCommand,
  // catalog & estimate (issue 3)
  tokensCommand,
  // gateway, keys, usage (issue 4)
  // ingest, validate, costs (issue 5)
  // reconcile, chargeback, export, unit-economics (issue 6)
  chargebackCommand,
  exportFocusCommand,
  // forecast, anomalies, budgets, alerts (issue 7)
];
