/**
 * analytics/cost-rows: what `tally costs` adds over its grouped rows: the largest N groups with the rest folded
 * into one "(other)" group (`--top`), and each group's amounts in the previous period (`--compare`). Pure over
 * the rows the query returns; amounts stay exact decimal strings.
 */
export { compareCostRows, previousPeriod, topCostRows, type CostsRow } from './_rows.js';
