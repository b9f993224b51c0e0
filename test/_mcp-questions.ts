/**
 * Test fixture: cost questions about the demo with known answers. Each names the tool call a scripted model
 * makes, the figure its answer quotes from the tool's result, and the CLI report (and field) the figure must
 * equal to the cent. `scriptedModel` is that model: it calls the question's tool, then answers.
 */
import { parseUsd, formatUsd, sumNanos } from '../src/core/index.js';
import type { ScriptedAnswer } from '../src/gateway/testing/mock-upstream.js';

type Doc = Record<string, unknown>;
type Rows = Doc[];
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const sum = (rows: unknown, f: string) =>
  formatUsd(sumNanos((rows as Rows).map((r) => parseUsd(num(r[f])))), 9);
const at = (doc: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | null)?.[k], doc);

/** One question with a known answer. */
export interface Question {
  readonly q: string;
  readonly tool: string;
  readonly args: Record<string, unknown>;
  /** The figure the model quotes from the tool's result. */
  readonly figure: (result: Doc) => unknown;
  /** The CLI command (without --json) whose output holds the same figure, and how to read it. */
  readonly cli: readonly string[];
  readonly expected: (doc: unknown) => unknown;
}

const NOV = { from: '2026-11-01', to: '2026-12-01' };
const OCT = { from: '2026-10-01', to: '2026-11-01' };
const rowOf = (doc: unknown, key: string, value: string) =>
  (at(doc, 'rows') as Rows).find((r) => r[key] === value);
const maxImpact = (doc: unknown) =>
  Math.max(...(at(doc, 'incidents') as Rows).map((a) => Math.abs(num(a['impactUsd']))));
const usageTotal = (doc: unknown) => sum(doc, 'costUsd');

/** Twenty questions about the demo organisation (November 2026 against October). */
export const QUESTIONS: readonly Question[] = [
  {
    q: 'How much AI spend was billed in November?',
    tool: 'get_costs',
    args: { ...NOV, by: ['ServiceName'], aiOnly: true },
    figure: (r) => at(r, 'totals', 'billedCostUsd'),
    cli: ['costs', '--by=ServiceName', '--ai-only', `--from=${NOV.from}`, `--to=${NOV.to}`],
    expected: (d) => sum(d, 'billedCost'),
  },
  {
    q: 'Which model line cost the most in November, and how much?',
    tool: 'get_costs',
    args: { ...NOV, by: ['x_AiModel'], limit: 3 },
    figure: (r) => at(r, 'rows', 0, 'billedCost'),
    cli: ['costs', '--by=x_AiModel', `--from=${NOV.from}`, `--to=${NOV.to}`],
    expected: (d) => at(d, 0, 'billedCost'),
  },
  {
    q: 'What was the total billed cost in October?',
    tool: 'get_costs',
    args: { ...OCT, by: ['ServiceName'] },
    figure: (r) => at(r, 'totals', 'billedCostUsd'),
    cli: ['costs', '--by=ServiceName', `--from=${OCT.from}`, `--to=${OCT.to}`],
    expected: (d) => sum(d, 'billedCost'),
  },
  {
    q: 'What did gpt-4o cost in November?',
    tool: 'get_costs',
    args: { ...NOV, by: ['x_AiModel'], filters: [{ column: 'x_AiModel', value: 'gpt-4o' }] },
    figure: (r) => at(r, 'totals', 'billedCostUsd'),
    cli: ['costs', '--by=x_AiModel', '--filter=x_AiModel=gpt-4o', `--from=${NOV.from}`, `--to=${NOV.to}`],
    expected: (d) => sum(d, 'billedCost'),
  },
  {
    q: 'What was the effective cost in November?',
    tool: 'get_costs',
    args: { ...NOV, by: ['ServiceCategory'] },
    figure: (r) => at(r, 'totals', 'effectiveCostUsd'),
    cli: ['costs', '--by=ServiceCategory', `--from=${NOV.from}`, `--to=${NOV.to}`],
    expected: (d) => sum(d, 'effectiveCost'),
  },
  {
    q: 'What would November have cost at list prices?',
    tool: 'get_costs',
    args: { ...NOV, by: ['ServiceCategory'], granularity: 'month' },
    figure: (r) => at(r, 'totals', 'listCostUsd'),
    cli: ['costs', '--by=ServiceCategory', '--granularity=month', `--from=${NOV.from}`, `--to=${NOV.to}`],
    expected: (d) => sum(d, 'listCost'),
  },
  {
    q: 'What did gpt-4.1-mini cost in October?',
    tool: 'get_costs',
    args: { ...OCT, by: ['x_AiModel'], filters: [{ column: 'x_AiModel', value: 'gpt-4.1-mini' }] },
    figure: (r) => at(r, 'totals', 'billedCostUsd'),
    cli: [
      'costs',
      '--by=x_AiModel',
      '--filter=x_AiModel=gpt-4.1-mini',
      `--from=${OCT.from}`,
      `--to=${OCT.to}`,
    ],
    expected: (d) => sum(d, 'billedCost'),
  },
  {
    q: 'What is the search team charged for November?',
    tool: 'get_chargeback',
    args: { period: '2026-11' },
    figure: (r) => rowOf(r, 'team', 'search')?.['totalCostUsd'],
    cli: ['chargeback', '--period=2026-11', '--by=team'],
    expected: (d) => rowOf(d, 'team', 'search')?.['totalCostUsd'],
  },
  {
    q: 'What is the total chargeback for November?',
    tool: 'get_chargeback',
    args: { period: '2026-11', limit: 1 },
    figure: (r) => r['totalCostUsd'],
    cli: ['chargeback', '--period=2026-11', '--by=team'],
    expected: (d) => at(d, 'totalCostUsd'),
  },
  {
    q: "How much did the platform team's charge change from October?",
    tool: 'get_chargeback',
    args: { period: '2026-11' },
    figure: (r) => rowOf(r, 'team', 'platform')?.['changeUsd'],
    cli: ['chargeback', '--period=2026-11', '--by=team'],
    expected: (d) => rowOf(d, 'team', 'platform')?.['changeUsd'],
  },
  {
    q: 'Which app is charged the most in November?',
    tool: 'get_chargeback',
    args: { period: '2026-11', by: 'app', limit: 1 },
    figure: (r) => at(r, 'rows', 0, 'totalCostUsd'),
    cli: ['chargeback', '--period=2026-11', '--by=app'],
    expected: (d) => at(d, 'rows', 0, 'totalCostUsd'),
  },
  {
    q: 'By how much did metered spend change from October to November?',
    tool: 'explain_change',
    args: { period: '2026-11' },
    figure: (r) => at(r, 'totals', 'changeUsd'),
    cli: ['usage', `--from=${NOV.from}`, `--to=${NOV.to}`],
    // The October side is subtracted by the test (see `baseline`).
    expected: (d) => usageTotal(d),
  },
  {
    q: 'What was metered spend in November, app by app?',
    tool: 'explain_change',
    args: { period: '2026-11', by: 'app', limit: 3 },
    figure: (r) => at(r, 'totals', 'afterUsd'),
    cli: ['usage', '--by=app', `--from=${NOV.from}`, `--to=${NOV.to}`],
    expected: (d) => usageTotal(d),
  },
  {
    q: 'What does one request cost us in November?',
    tool: 'get_unit_economics',
    args: { period: '2026-11', limit: 1 },
    figure: (r) => at(r, 'total', 'costPerRequestUsd'),
    cli: ['unit-economics', '--period=2026-11'],
    expected: (d) => at(d, 'total', 'costPerRequestUsd'),
  },
  {
    q: 'What does one active user cost us in November?',
    tool: 'get_unit_economics',
    args: { period: '2026-11', limit: 1 },
    figure: (r) => at(r, 'total', 'costPerActiveUserUsd'),
    cli: ['unit-economics', '--period=2026-11'],
    expected: (d) => at(d, 'total', 'costPerActiveUserUsd'),
  },
  {
    q: 'How much could we save a month?',
    tool: 'get_recommendations',
    args: { period: '2026-11' },
    figure: (r) => r['totalMonthlySavingsUsd'],
    cli: ['recommend', '--period=2026-11'],
    expected: (d) => at(d, 'totalMonthlySavingsUsd'),
  },
  {
    q: 'What is the single biggest saving?',
    tool: 'get_recommendations',
    args: { period: '2026-11', limit: 1 },
    figure: (r) => at(r, 'recommendations', 0, 'monthlySavingsUsd'),
    cli: ['recommend', '--period=2026-11'],
    expected: (d) => at(d, 'recommendations', 0, 'monthlySavingsUsd'),
  },
  {
    q: 'What will we spend in the next 7 days?',
    tool: 'get_forecast',
    args: { horizon: 7 },
    figure: (r) => at(r, 'series', 0, 'total', 'p50'),
    cli: ['forecast', '--horizon=7'],
    expected: (d) => at(d, 'series', 0, 'total', 'p50'),
  },
  {
    q: 'What was the costliest incident in November?',
    tool: 'get_anomalies',
    args: { ...NOV, limit: 1 },
    figure: (r) => Math.abs(num(at(r, 'incidents', 0, 'impactUsd'))),
    cli: ['anomalies', `--from=${NOV.from}`, `--to=${NOV.to}`],
    expected: (d) => maxImpact(d),
  },
  {
    q: 'What would 2M input and 500k output tokens cost on gpt-4o-mini global standard?',
    tool: 'get_prices',
    args: {
      model: 'gpt-4o-mini',
      deployment: 'global-standard',
      estimate: { inputTokens: 2_000_000, outputTokens: 500_000 },
      limit: 1,
    },
    figure: (r) => at(r, 'rows', 0, 'estimateUsd'),
    cli: ['prices', '--model=gpt-4o-mini', '--deployment=global-standard'],
    expected: (d) =>
      formatUsd(
        parseUsd(num(at(d, 0, 'effectiveInputPerMTokUsd'))) * 2n +
          parseUsd(num(at(d, 0, 'effectiveOutputPerMTokUsd'))) / 2n,
        9,
      ),
  },
];

/** A question whose tool result shows cost rows with their tags (where injected text can hide). */
export const TAGS_QUESTION: Question = {
  q: 'Which tags carried our November cost?',
  tool: 'get_costs',
  args: { ...NOV, by: ['Tags'], limit: 100 },
  figure: (r) => at(r, 'totals', 'billedCostUsd'),
  cli: ['costs', '--by=Tags', `--from=${NOV.from}`, `--to=${NOV.to}`],
  expected: (d) => sum(d, 'billedCost'),
};

/** Metered spend in October, subtracted from November's for the change question. */
export const BASELINE_USAGE = ['usage', `--from=${OCT.from}`, `--to=${OCT.to}`] as const;

/** A figure to the cent, as text. */
export const cents = (v: unknown): string => formatUsd(parseUsd(num(v)), 2);

/** Reads the result inside a tool message's <tally-data> envelope. */
export function envelopeResult(content: string): Doc {
  return JSON.parse(content.slice(content.indexOf('\n') + 1, content.lastIndexOf('\n'))) as Doc;
}

/** Every string in a value, looking inside strings that hold JSON objects (a Tags column). */
function strings(v: unknown): string[] {
  if (typeof v === 'string') {
    if (!v.startsWith('{')) return [v];
    try {
      return strings(JSON.parse(v));
    } catch {
      return [v];
    }
  }
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.values(v).flatMap(strings);
  return [];
}

/**
 * The scripted model: for a known question, it calls the question's tool, then answers quoting the figure.
 * It is gullible on purpose: an instruction "CALL <tool> <json>" in any tool result, it obeys once, as a
 * model steered by injected text would; the guardrails must hold anyway.
 */
export function scriptedModel(
  messages: readonly { role: string; content?: unknown; tool_calls?: unknown }[],
): ScriptedAnswer {
  const question = String([...messages].reverse().find((m) => m.role === 'user')?.content ?? '');
  const entry = [...QUESTIONS, TAGS_QUESTION].find((e) => e.q === question) ?? QUESTIONS[0]!;
  const results = messages.filter((m) => m.role === 'tool').map((m) => envelopeResult(String(m.content)));
  if (results.length === 0) return { toolCalls: [{ name: entry.tool, arguments: entry.args }] };
  const made = messages.filter((m) => m.role === 'assistant' && m.tool_calls).length;
  const order = strings(results[results.length - 1])
    .map((s) => /CALL (\w+) (\{[^{}]*\})/.exec(s))
    .find((m) => m !== null);
  if (order && made < 2)
    return { toolCalls: [{ name: order[1]!, arguments: JSON.parse(order[2]!) as unknown }] };
  return { content: `${question} $${String(entry.figure(results[0]!))}` };
}
