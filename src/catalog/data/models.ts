/**
 * Models known to the catalog: dated ids, the family they belong to, their aliases and tokenizer encoding.
 * An alias (e.g. `gpt-4o`) resolves to the dated version OpenAI/Azure serve by default for that name.
 */

/** What a model is used for (drives which prices and token counters apply). */
export type ModelKind = 'chat' | 'reasoning' | 'embedding';

/** One model as the catalog data declares it. */
export interface ModelSpec {
  readonly id: string;
  readonly family: string;
  readonly provider: 'openai' | 'anthropic';
  readonly kind: ModelKind;
  /** Other names that resolve to this id (the family name itself only for the default version). */
  readonly aliases: readonly string[];
  /** tiktoken encoding; null when no exact public tokenizer exists (Claude 3+). */
  readonly encoding: 'o200k_base' | 'cl100k_base' | null;
}

const o200k = 'o200k_base' as const;
const cl100k = 'cl100k_base' as const;

/** Every model, default version of a family first within that family. */
export const MODELS: readonly ModelSpec[] = [
  {
    id: 'gpt-4o-2024-08-06',
    family: 'gpt-4o',
    provider: 'openai',
    kind: 'chat',
    aliases: ['gpt-4o'],
    encoding: o200k,
  },
  {
    id: 'gpt-4o-2024-11-20',
    family: 'gpt-4o',
    provider: 'openai',
    kind: 'chat',
    aliases: [],
    encoding: o200k,
  },
  {
    id: 'gpt-4o-2024-05-13',
    family: 'gpt-4o',
    provider: 'openai',
    kind: 'chat',
    aliases: [],
    encoding: o200k,
  },
  {
    id: 'gpt-4o-mini-2024-07-18',
    family: 'gpt-4o-mini',
    provider: 'openai',
    kind: 'chat',
    aliases: ['gpt-4o-mini'],
    encoding: o200k,
  },
  {
    id: 'gpt-4.1-2025-04-14',
    family: 'gpt-4.1',
    provider: 'openai',
    kind: 'chat',
    aliases: ['gpt-4.1', 'gpt-41'],
    encoding: o200k,
  },
  {
    id: 'gpt-4.1-mini-2025-04-14',
    family: 'gpt-4.1-mini',
    provider: 'openai',
    kind: 'chat',
    aliases: ['gpt-4.1-mini', 'gpt-41-mini'],
    encoding: o200k,
  },
  {
    id: 'gpt-4.1-nano-2025-04-14',
    family: 'gpt-4.1-nano',
    provider: 'openai',
    kind: 'chat',
    aliases: ['gpt-4.1-nano', 'gpt-41-nano'],
    encoding: o200k,
  },
  {
    id: 'o1-2024-12-17',
    family: 'o1',
    provider: 'openai',
    kind: 'reasoning',
    aliases: ['o1'],
    encoding: o200k,
  },
  {
    id: 'o3-2025-04-16',
    family: 'o3',
    provider: 'openai',
    kind: 'reasoning',
    aliases: ['o3'],
    encoding: o200k,
  },
  {
    id: 'o3-mini-2025-01-31',
    family: 'o3-mini',
    provider: 'openai',
    kind: 'reasoning',
    aliases: ['o3-mini'],
    encoding: o200k,
  },
  {
    id: 'o4-mini-2025-04-16',
    family: 'o4-mini',
    provider: 'openai',
    kind: 'reasoning',
    aliases: ['o4-mini'],
    encoding: o200k,
  },
  {
    id: 'gpt-5-2025-08-07',
    family: 'gpt-5',
    provider: 'openai',
    kind: 'reasoning',
    aliases: ['gpt-5'],
    encoding: o200k,
  },
  {
    id: 'gpt-5-mini-2025-08-07',
    family: 'gpt-5-mini',
    provider: 'openai',
    kind: 'reasoning',
    aliases: ['gpt-5-mini'],
    encoding: o200k,
  },
  {
    id: 'gpt-5-nano-2025-08-07',
    family: 'gpt-5-nano',
    provider: 'openai',
    kind: 'reasoning',
    aliases: ['gpt-5-nano'],
    encoding: o200k,
  },
  { id: 'gpt-5.1', family: 'gpt-5.1', provider: 'openai', kind: 'reasoning', aliases: [], encoding: o200k },
  { id: 'gpt-5.2', family: 'gpt-5.2', provider: 'openai', kind: 'reasoning', aliases: [], encoding: o200k },
  { id: 'gpt-5.4', family: 'gpt-5.4', provider: 'openai', kind: 'reasoning', aliases: [], encoding: o200k },
  { id: 'gpt-5.5', family: 'gpt-5.5', provider: 'openai', kind: 'reasoning', aliases: [], encoding: o200k },
  {
    id: 'o1-mini-2024-09-12',
    family: 'o1-mini',
    provider: 'openai',
    kind: 'reasoning',
    aliases: ['o1-mini'],
    encoding: o200k,
  },
  {
    id: 'o3-pro-2025-06-10',
    family: 'o3-pro',
    provider: 'openai',
    kind: 'reasoning',
    aliases: ['o3-pro'],
    encoding: o200k,
  },
  {
    id: 'gpt-4-turbo-2024-04-09',
    family: 'gpt-4-turbo',
    provider: 'openai',
    kind: 'chat',
    aliases: ['gpt-4-turbo'],
    encoding: cl100k,
  },
  {
    id: 'gpt-4-0613',
    family: 'gpt-4',
    provider: 'openai',
    kind: 'chat',
    aliases: ['gpt-4'],
    encoding: cl100k,
  },
  {
    id: 'gpt-3.5-turbo-0125',
    family: 'gpt-3.5-turbo',
    provider: 'openai',
    kind: 'chat',
    aliases: ['gpt-3.5-turbo', 'gpt-35-turbo', 'gpt-35-turbo-0125'],
    encoding: cl100k,
  },
  {
    id: 'text-embedding-3-small',
    family: 'text-embedding-3-small',
    provider: 'openai',
    kind: 'embedding',
    aliases: [],
    encoding: cl100k,
  },
  {
    id: 'text-embedding-3-large',
    family: 'text-embedding-3-large',
    provider: 'openai',
    kind: 'embedding',
    aliases: [],
    encoding: cl100k,
  },
  {
    id: 'text-embedding-ada-002',
    family: 'text-embedding-ada-002',
    provider: 'openai',
    kind: 'embedding',
    aliases: [],
    encoding: cl100k,
  },
  {
    id: 'claude-sonnet-4-5-20250929',
    family: 'claude-sonnet-4-5',
    provider: 'anthropic',
    kind: 'chat',
    aliases: ['claude-sonnet-4-5', 'claude-sonnet-4.5'],
    encoding: null,
  },
  {
    id: 'claude-sonnet-4-6',
    family: 'claude-sonnet-4-6',
    provider: 'anthropic',
    kind: 'chat',
    aliases: ['claude-sonnet-4.6'],
    encoding: null,
  },
  {
    id: 'claude-sonnet-4-20250514',
    family: 'claude-sonnet-4',
    provider: 'anthropic',
    kind: 'chat',
    aliases: ['claude-sonnet-4'],
    encoding: null,
  },
  {
    id: 'claude-haiku-4-5-20251001',
    family: 'claude-haiku-4-5',
    provider: 'anthropic',
    kind: 'chat',
    aliases: ['claude-haiku-4-5', 'claude-haiku-4.5'],
    encoding: null,
  },
  {
    id: 'claude-opus-4-5-20251101',
    family: 'claude-opus-4-5',
    provider: 'anthropic',
    kind: 'chat',
    aliases: ['claude-opus-4-5', 'claude-opus-4.5'],
    encoding: null,
  },
];

/** Context window (input + output tokens per request) by family, where published; absent = unknown. */
export const CONTEXT_WINDOWS: Readonly<Record<string, number>> = {
  'gpt-4o': 128_000,
  'gpt-4o-mini': 128_000,
  'gpt-4.1': 1_047_576,
  'gpt-4.1-mini': 1_047_576,
  'gpt-4.1-nano': 1_047_576,
  o1: 200_000,
  'o1-mini': 128_000,
  o3: 200_000,
  'o3-pro': 200_000,
  'o3-mini': 200_000,
  'o4-mini': 200_000,
  'gpt-5': 400_000,
  'gpt-5-mini': 400_000,
  'gpt-5-nano': 400_000,
  'gpt-5.1': 400_000,
  'gpt-5.2': 400_000,
  'gpt-4-turbo': 128_000,
  'gpt-4': 8_192,
  'gpt-3.5-turbo': 16_385,
  'text-embedding-3-small': 8_191,
  'text-embedding-3-large': 8_191,
  'text-embedding-ada-002': 8_191,
  'claude-sonnet-4': 200_000,
  'claude-sonnet-4-5': 200_000,
  'claude-sonnet-4-6': 200_000,
  'claude-haiku-4-5': 200_000,
  'claude-opus-4-5': 200_000,
};
