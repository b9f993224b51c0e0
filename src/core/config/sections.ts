/**
 * Config sections owned by each module. Each module refines its own schema here; `schema.ts` composes them.
 * Sections are permissive about unknown keys only where noted; everything else is strict so typos are caught.
 */
import { z } from 'zod';

/** Where the store lives. */
export const storeSchema = z
  .strictObject({
    backend: z.enum(['duckdb']).default('duckdb'),
    path: z.string().min(1).optional().describe('DuckDB file; default .tally/tally.duckdb'),
  })
  .default({ backend: 'duckdb' });

/** Negotiated discounts and price sheets that turn list prices into effective prices. */
export const pricingSchema = z
  .strictObject({
    discounts: z
      .array(
        z.strictObject({
          provider: z.string().optional(),
          model: z.string().optional(),
          deployment: z.string().optional(),
          percent: z.number().min(0).max(100),
        }),
      )
      .default([]),
    priceSheet: z.string().optional().describe('Azure EA/MCA price sheet CSV'),
  })
  .default({ discounts: [] });

// Sections below are owned by later modules (gateway, policy, allocation, budgets, alerts, anomalies).
// They start loose (passthrough records) and are tightened by their owners.

/** Gateway: port, upstreams, routes, limits, caches. Refined by src/gateway. */
export const gatewaySchema = z.looseObject({}).optional();
/** Request-time governance rules. Refined by src/policy. */
export const policySchema = z.looseObject({}).optional();
/** Shared-cost allocation rules. Refined by src/analytics (allocation). */
export const allocationSchema = z.looseObject({}).optional();
/** Budgets with thresholds. Refined by src/analytics (budgets). */
export const budgetsSchema = z.array(z.looseObject({})).optional();
/** Alert sinks. Refined by src/alerts. */
export const alertsSchema = z.looseObject({}).optional();
/** Anomaly detection settings. Refined by src/analytics (anomalies). */
export const anomaliesSchema = z.looseObject({}).optional();
