/**
 * The scenario file (YAML): traffic, a sample conversation, the history strategy, caching, the options to
 * compare and fixed services. Validated once with zod; every error names the field path.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { TallyError } from '../core/index.js';

const nonNeg = z.number().min(0);
const rate = z.number().min(0).max(1);

// "Window: 2" and "window:2" mean the same thing: lower-case and drop spaces before checking.
const historySchema = z.preprocess(
  (v) => (typeof v === 'string' ? v.toLowerCase().replace(/\s+/g, '') : v),
  z
    .string()
    .regex(/^(full|summary|window:\d+)$/, 'must be full, summary or window:N (N a whole number)')
    .default('full'),
);

const RESERVATION_ALIASES: Record<string, string> = {
  monthly: '1-month',
  month: '1-month',
  '1month': '1-month',
  '1m': '1-month',
  yearly: '1-year',
  annual: '1-year',
  year: '1-year',
  '1year': '1-year',
  '1y': '1-year',
  payg: 'hourly',
};
const reservationSchema = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    const k = v.toLowerCase().replace(/[\s_]+/g, '');
    return RESERVATION_ALIASES[k] ?? v.toLowerCase().replace(/[\s_]+/g, '-');
  },
  z.enum(['hourly', 'none', '1-month', '1-year']),
);

/** One option compared side by side. */
const optionSchema = z.strictObject({
  name: z.string().optional(),
  model: z.string().min(1),
  deployment: z.string().min(1),
  provider: z.string().optional(),
  region: z.string().optional(),
  // PTU count for provisioned options: `auto` sizes from peak load, a number fixes it.
  ptu: z.union([z.literal('auto'), z.number().int().positive()]).optional(),
  reservation: reservationSchema.optional(),
});

const conversationSchema = z.union([
  z.strictObject({ file: z.string().min(1) }),
  z.strictObject({
    turns: z.number().int().min(1),
    systemTokens: nonNeg,
    userTokensPerTurn: nonNeg,
    assistantTokensPerTurn: nonNeg,
  }),
]);

/** The validated scenario schema. */
export const scenarioSchema = z.strictObject({
  name: z.string().default('scenario'),
  horizonMonths: z.number().int().min(1).max(120),
  traffic: z.strictObject({
    visitorsPerMonth: nonNeg,
    interactionRate: rate,
    conversationsPerUser: nonNeg,
    monthlyGrowth: nonNeg.default(0),
    peakToAverage: z.number().min(1).default(1),
  }),
  conversation: conversationSchema,
  history: historySchema,
  // Size of the running summary for `history: summary` (tokens); see estimate/README.md.
  summaryTokens: nonNeg.default(200),
  promptCacheRate: rate.default(0),
  responseCacheHitRate: rate.default(0),
  options: z.array(optionSchema).min(1),
  fixed: z
    .array(z.strictObject({ service: z.string().min(1), sku: z.string().min(1), units: nonNeg }))
    .default([]),
});

/** A validated scenario. */
export type Scenario = z.infer<typeof scenarioSchema>;
/** One option of a scenario. */
export type ScenarioOption = Scenario['options'][number];

function fieldOf(issue: z.core.$ZodIssue): string {
  return issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

/** Validates a parsed scenario; errors are `invalid_input` naming the field (e.g. traffic.visitorsPerMonth). */
export function parseScenario(raw: unknown, file = 'scenario'): Scenario {
  const r = scenarioSchema.safeParse(raw);
  if (r.success) return r.data;
  let issue: z.core.$ZodIssue = r.error.issues[0]!;
  let field = fieldOf(issue);
  // A union failure on `conversation` hides the useful branch: report the token-based branch's first issue.
  if (field === 'conversation' && issue.code === 'invalid_union') {
    const branch = issue.errors[1]?.[0];
    if (branch) {
      issue = branch;
      field = `conversation.${fieldOf(branch)}`;
    }
  }
  const missing = issue.code === 'invalid_type' && /undefined/.test(issue.message);
  const message = missing
    ? 'is required'
    : issue.code === 'too_small'
      ? `must be >= ${String(issue.minimum)}`
      : issue.message;
  throw new TallyError('invalid_input', `${file}: ${field || '(top level)'}: ${message}`, {
    file,
    field,
  });
}

/** Reads and validates a scenario YAML file; `conversation.file` is resolved relative to it. */
export function loadScenario(path: string): Scenario & { baseDir: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TallyError('io_error', `cannot read scenario ${path}: ${(err as Error).message}`, {
      file: path,
    });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new TallyError('invalid_input', `${path} is not valid YAML: ${(err as Error).message}`, {
      file: path,
    });
  }
  const s = parseScenario(raw, path);
  const baseDir = dirname(resolve(path));
  return { ...s, baseDir };
}
