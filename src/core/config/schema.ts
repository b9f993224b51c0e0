/** The whole `tally.yaml`, composed from each module's section. */
import { z } from 'zod';
import {
  alertsSchema,
  allocationSchema,
  anomaliesSchema,
  budgetsSchema,
  gatewaySchema,
  ingestSchema,
  policySchema,
  pricingSchema,
  reportingSchema,
  storeSchema,
} from './sections.js';
import { serverSchema } from './server-section.js';
import { assistantSchema } from './assistant-section.js';
import { unitEconomicsSchema } from './unit-economics-section.js';

/** Schema of tally.yaml. */
export const configSchema = z.strictObject({
  version: z.literal(1).default(1),
  store: storeSchema,
  ingest: ingestSchema,
  pricing: pricingSchema,
  reporting: reportingSchema,
  gateway: gatewaySchema,
  policy: policySchema,
  allocation: allocationSchema,
  budgets: budgetsSchema,
  alerts: alertsSchema,
  anomalies: anomaliesSchema,
  server: serverSchema,
  assistant: assistantSchema,
  unitEconomics: unitEconomicsSchema,
});

/** Parsed, validated configuration. */
export type TallyConfig = z.infer<typeof configSchema>;
