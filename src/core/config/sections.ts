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
/** Rules for one environment (a key's `environment`). Model names match requested name, dated id or family; `*` globs. */
const policyEnvironmentSchema = z.strictObject({
  allowModels: z.array(z.string().min(1)).optional(),
  denyModels: z.array(z.string().min(1)).optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  requiredTags: z.array(z.string().min(1)).optional(),
});
/** Request-time governance rules (src/policy): models per environment, output caps, required tags. */
export const policySchema = z
  .strictObject({
    /** What to do when a key's environment has no entry under `environments`. */
    unknownEnvironment: z.enum(['allow', 'deny']).default('allow'),
    maxOutputTokens: z.number().int().positive().optional(),
    requiredTags: z.array(z.string().min(1)).default([]),
    environments: z.record(z.string(), policyEnvironmentSchema).default({}),
    /** Deployment types (e.g. provisioned, fine-tuned) usable only in some environments, with an approval tag. */
    restrictedDeployments: z
      .strictObject({
        types: z.array(
          z.enum(['global-standard', 'data-zone', 'regional', 'batch', 'provisioned', 'fine-tuned']),
        ),
        environments: z.array(z.string().min(1)).default(['prod']),
        /** Tag that must be present on the key or request (any value but "false"), e.g. `approved`. */
        approvalTag: z.string().min(1).optional(),
      })
      .optional(),
  })
  .optional();
/** Shared-cost allocation rules. Refined by src/analytics (allocation). */
export const allocationSchema = z.looseObject({}).optional();
/** Budgets with thresholds. Refined by src/analytics (budgets). */
export const budgetsSchema = z.array(z.looseObject({})).optional();
/** Alert sinks. Refined by src/alerts. */
export const alertsSchema = z.looseObject({}).optional();
/** Anomaly detection settings. Refined by src/analytics (anomalies). */
export const anomaliesSchema = z.looseObject({}).optional();
