/**
 * Usage parsers for the response shapes we proxy. Chat/embeddings report `prompt_tokens`/`completion_tokens`
 * with `prompt_tokens_details.cached_tokens` and `completion_tokens_details.reasoning_tokens`; the Responses
 * API reports `input_tokens`/`output_tokens` with `*_details`. Both follow OpenAI semantics: input includes
 * cached, output includes reasoning. Provider quirks stay here as data-shaped lookups, not in handlers.
 */
import type { Usage } from './_context.js';

const num = (v: unknown): number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0;
const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** Reads a `usage` object of either shape; null when there is none. */
export function parseUsageObject(u: unknown): Usage | null {
  const o = obj(u);
  if (!o) return null;
  const input = o['prompt_tokens'] ?? o['input_tokens'];
  const output = o['completion_tokens'] ?? o['output_tokens'];
  if (input === undefined && output === undefined) return null;
  const inDetails = obj(o['prompt_tokens_details']) ?? obj(o['input_tokens_details']);
  const outDetails = obj(o['completion_tokens_details']) ?? obj(o['output_tokens_details']);
  const inputTokens = num(input);
  const outputTokens = num(output);
  return {
    inputTokens,
    // Clamp: a provider reporting more cached than total input must not produce a negative uncached count.
    cachedInputTokens: Math.min(num(inDetails?.['cached_tokens']), inputTokens),
    outputTokens,
    reasoningTokens: Math.min(num(outDetails?.['reasoning_tokens']), outputTokens),
    source: 'reported',
  };
}

/** Finds usage in a parsed response or stream event: top-level `usage`, or `response.usage` (Responses API). */
export function findUsage(doc: unknown): Usage | null {
  const o = obj(doc);
  if (!o) return null;
  return parseUsageObject(o['usage']) ?? parseUsageObject(obj(o['response'])?.['usage']);
}

/** A zero usage record with the given source. */
export function emptyUsage(source: Usage['source'] = 'estimated'): Usage {
  return { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, source };
}

/** Text the client received in one parsed stream event (chat deltas, Responses output_text deltas). */
export function deltaText(doc: unknown): string {
  const o = obj(doc);
  if (!o) return '';
  if (typeof o['delta'] === 'string' && typeof o['type'] === 'string') return o['delta'];
  const choices = o['choices'];
  if (!Array.isArray(choices)) return '';
  let text = '';
  for (const c of choices) {
    const d = obj(obj(c)?.['delta']);
    if (!d) continue;
    if (typeof d['content'] === 'string') text += d['content'];
    if (typeof d['reasoning_content'] === 'string') text += d['reasoning_content'];
    const calls = d['tool_calls'];
    if (Array.isArray(calls))
      for (const t of calls) {
        const f = obj(obj(t)?.['function']);
        if (typeof f?.['arguments'] === 'string') text += f['arguments'];
        if (typeof f?.['name'] === 'string') text += f['name'];
      }
  }
  return text;
}

// Keys whose strings are not generated text (ids, enums, bookkeeping) and are left out of an estimate.
const NOT_TEXT = new Set([
  'id',
  'type',
  'role',
  'status',
  'object',
  'finish_reason',
  'call_id',
  'logprobs',
  'annotations',
]);

function collectText(v: unknown, out: string[], depth: number): void {
  if (depth > 32) return;
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectText(x, out, depth + 1);
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) if (!NOT_TEXT.has(k)) collectText(x, out, depth + 1);
}

/**
 * The generated text of a whole answer (chat `choices`, Responses `output`): message content, refusals,
 * reasoning, tool-call names and arguments, in any shape. Used to count output tokens when the upstream
 * reported no usage, so such an answer is billed by our own count rather than as free.
 */
export function answerText(doc: unknown): string {
  const o = obj(doc);
  if (!o) return '';
  const out: string[] = [];
  if (Array.isArray(o['choices']))
    for (const c of o['choices']) {
      const choice = obj(c);
      collectText(choice?.['message'] ?? choice?.['text'], out, 0);
    }
  collectText(o['output'], out, 0);
  return out.join('');
}
