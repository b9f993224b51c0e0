/**
 * The command registry. One file per command; add yours to the list (keep it sorted by name within your block).
 */
import type { Command } from '../command.js';
import { sqlCommand } from './sql.js';
import { demoCommand } from './demo.js';
import { gatewayCommand } from './gateway.js';
import { keysCreateCommand, keysListCommand, keysRevokeCommand, keysRotateCommand } from './keys.js';
import { usageCommand } from './usage.js';
import { tokensCommand } from './tokens.js';
import { estimateCommand } from './estimate.js';
import { pricesCommand } from './prices.js';
import { pricesImportCommand } from './prices-import.js';
import { chargebackCommand } from './chargeback.js';
import { exportFocusCommand } from './export-focus.js';
import { reconcileCommand } from './reconcile.js';
import { unitEconomicsCommand } from './unit-economics.js';
import { alertsRunCommand, alertsTestCommand } from './alerts.js';
import { anomaliesCommand } from './anomalies.js';
import { budgetsDeleteCommand, budgetsSetCommand, budgetsStatusCommand } from './budgets.js';
import { forecastCommand } from './forecast.js';
import { serveCommand } from './serve.js';
import { costsCommand } from './costs.js';
import { ingestCommand } from './ingest.js';
import { validateCommand } from './validate.js';
import { usersCreateCommand, usersListCommand, usersRevokeCommand } from './users.js';
import { freshnessCommand } from './freshness.js';

/** Every command, in help order. */
export const COMMANDS: readonly Command[] = [
  // foundation
  sqlCommand,
  demoCommand,
  // catalog & estimate (issue 3)
  estimateCommand,
  pricesCommand,
  pricesImportCommand,
  tokensCommand,
  // gateway, keys, usage (issue 4)
  gatewayCommand,
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
  keysRotateCommand,
  usageCommand,
  // ingest, validate, costs (issue 5)
  costsCommand,
  ingestCommand,
  validateCommand,
  // reconcile, chargeback, export, unit-economics (issue 6)
  chargebackCommand,
  exportFocusCommand,
  reconcileCommand,
  unitEconomicsCommand,
  // forecast, anomalies, budgets, alerts (issue 7)
  alertsRunCommand,
  alertsTestCommand,
  anomaliesCommand,
  budgetsDeleteCommand,
  budgetsSetCommand,
  budgetsStatusCommand,
  forecastCommand,
  serveCommand,
  // server, users, freshness (issue 11)
  freshnessCommand,
  usersCreateCommand,
  usersListCommand,
  usersRevokeCommand,
];
