/** The `assistant:` section: the chat model `tally ask` calls through Tally's own gateway. Used by src/mcp. */
import { z } from 'zod';

/** Schema of `assistant:` (absent: `tally ask` refuses and says what to configure). */
export const assistantSchema = z
  .strictObject({
    /** A gateway model (route or deployment) that supports tool calls, e.g. gpt-4o-mini. */
    model: z.string().min(1).max(200),
    /** The virtual key the questions are metered on (tally-sk-...): env:NAME reads the environment. */
    key: z
      .string()
      .min(1)
      .describe('virtual key of the gateway: env:NAME reads the environment variable NAME'),
    /** The gateway's URL; default: the gateway running on this store (its `<db>.gateway.json`). */
    gatewayUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Tool calls one question may make (the loop stops there and answers with what it has). */
    maxToolCalls: z.number().int().min(1).max(20).default(8),
    /** Output cap per model turn (tokens). */
    maxOutputTokens: z.number().int().min(16).max(8192).default(800),
    /** What one caller (token) may spend on questions per UTC day, USD. */
    budgetUsdPerDay: z.number().positive().max(10_000).default(5),
    /** How long one model turn may take, ms. */
    timeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
  })
  .optional();

/** The parsed `assistant:` section. */
export type AssistantConfig = NonNullable<z.infer<typeof assistantSchema>>;
