/**
 * Azure meter names to (model, deployment type, token type). Meter names are abbreviations that vary by
 * model generation ("gpt 4o 1120 Inp glbl Tokens", "GPT 5 Mini cchd Inpt Glbl", "5.4 opt Dz",
 * "41 ft opt Dz"), so the vocabulary is data: each word is a direction, a deployment marker, noise, a
 * version stamp, or part of the model name. Anything we cannot place is skipped with a reason.
 */
import { MODELS } from '../data/models.js';
import { resolveModel } from '../models.js';

// "0513" in "gpt 4o 0513 Inp regnl" names gpt-4o-2024-05-13: family|MMDD -> dated id.
const BY_STAMP = new Map<string, string>();
for (const m of MODELS) {
  const d = /-(\d{4})-(\d{2})-(\d{2})$/.exec(m.id);
  if (d) BY_STAMP.set(`${m.family}|${d[2]}${d[3]}`, m.id);
}

/** What a meter bills, when it is a text-token meter. */
export interface TokenMeter {
  /** The dated model id when the meter's version stamp names a known version (gpt 4o 0513), else the family. */
  model: string;
  family: string;
  deployment: string;
  tokenType: 'input' | 'cached' | 'output';
}

const DIRECTION: Record<string, 'input' | 'cached' | 'output'> = {
  inp: 'input',
  inpt: 'input',
  input: 'input',
  in: 'input',
  opt: 'output',
  outp: 'output',
  output: 'output',
  out: 'output',
  otpt: 'output',
  outpt: 'output',
  cchd: 'cached',
  cached: 'cached',
  cache: 'cached',
  cach: 'cached',
  cd: 'cached',
  chd: 'cached',
};

const MARKER: Record<string, 'global' | 'dz' | 'regional' | 'batch' | 'ft'> = {
  glbl: 'global',
  global: 'global',
  gl: 'global',
  glb: 'global',
  dz: 'dz',
  datazone: 'dz',
  dzone: 'dz',
  rgnl: 'regional',
  regional: 'regional',
  regnl: 'regional',
  rgn: 'regional',
  batch: 'batch',
  ft: 'ft',
  finetune: 'ft',
  finetuned: 'ft',
};

const NOISE = new Set([
  'shortco',
  'tokens',
  'token',
  'tkn',
  'tkns',
  '1k',
  '1m',
  'aoai',
  'azure',
  'openai',
  'model',
  'mdl',
  'std',
  'standard',
  'pp',
  'text',
  'txt',
]);

// Words that mean "not a plain text-token price": these rows are skipped with the word as the reason.
const NOT_TEXT_TOKENS = new Set([
  'longco',
  'pp',
  'audio',
  'aud',
  'image',
  'img',
  'realtime',
  'rt',
  'training',
  'trng',
  'hosting',
  'host',
  'grader',
  'provisioned',
  'ptu',
  'unit',
  'units',
  'long',
  'lng',
  'ctx',
  'priority',
  'flex',
  'video',
  'tts',
  'stt',
  'transcribe',
  'search',
  'web',
]);

const VERSION = /^(\d{4}|\d{6}|\d{8})$/;

function modelCandidates(words: string[]): string[] {
  const parts = words.flatMap((w) => {
    const m = /^gpt(\d.*)$/.exec(w);
    return m ? ['gpt', m[1]!] : [w];
  });
  // "41" is how meters spell gpt-4.1; "45" gpt-4.5.
  const fixed = parts.map((w) => (/^4[15]$/.test(w) ? `${w[0]}.${w[1]}` : w));
  const joined = fixed.join('-');
  const out = [joined];
  if (!joined.startsWith('gpt-') && /^[\d]/.test(joined)) out.push(`gpt-${joined}`);
  if (joined.startsWith('embedding')) out.push(`text-${joined}`);
  if (!joined.startsWith('gpt-') && !joined.startsWith('o') && !joined.startsWith('text'))
    out.push(`gpt-${joined}`);
  return out;
}

/** Parses a meter (or SKU) name; returns a token meter or the reason it is not one. */
export function parseMeterName(name: string): TokenMeter | { skip: string } {
  const words = name
    .toLowerCase()
    .replace(/\b\d{4}-\d{2}-\d{2}\b/g, ' ')
    .replace(/data\s+zone/g, 'datazone')
    .replace(/fine[\s-]?tun(ed|ing)/g, 'finetuned')
    .replace(/cached\s+input/g, 'cached')
    .split(/[\s_\-/]+/)
    .filter(Boolean);
  let direction: TokenMeter['tokenType'] | undefined;
  const markers = new Set<string>();
  const modelWords: string[] = [];
  let stamp: string | undefined;
  for (const w of words) {
    if (NOT_TEXT_TOKENS.has(w)) return { skip: `not a text-token meter (${w})` };
    const d = DIRECTION[w];
    if (d) {
      // "cached input": cached wins over input.
      if (direction !== 'cached') direction = d;
      continue;
    }
    const mk = MARKER[w];
    if (mk) markers.add(mk);
    else if (VERSION.test(w)) stamp ??= w.slice(-4);
    else if (!NOISE.has(w)) modelWords.push(w);
  }
  if (modelWords.length === 0) return { skip: 'no model name in meter name' };
  let family: string | undefined;
  let kind: string | undefined;
  for (const c of modelCandidates(modelWords)) {
    try {
      ({ family, kind } = resolveModel(c));
      break;
    } catch {
      // try the next spelling
    }
  }
  if (!family) return { skip: `unknown model "${modelWords.join(' ')}"` };
  // Embedding meters often omit the direction: they only bill input.
  if (!direction && kind === 'embedding') direction = 'input';
  if (!direction) return { skip: 'no token direction (input/cached/output) in meter name' };
  const deployment = markers.has('ft')
    ? 'fine-tuned'
    : markers.has('batch')
      ? markers.has('dz')
        ? 'data-zone-batch'
        : 'batch'
      : markers.has('dz')
        ? 'data-zone'
        : markers.has('global')
          ? 'global-standard'
          : 'regional';
  const model = (stamp && BY_STAMP.get(`${family}|${stamp}`)) ?? family;
  return { model, family, deployment, tokenType: direction };
}

/** Tokens per unit of measure for token meters ("1K" -> 1000, "1M" -> 1e6), or null for other units. */
export function tokensPerUnit(unitOfMeasure: string): number | null {
  const u = unitOfMeasure
    .trim()
    .toLowerCase()
    .replace(/\s*tokens?$/, '');
  if (u === '1k' || u === '1000') return 1000;
  if (u === '1m' || u === '1000000') return 1_000_000;
  if (u === '1' || u === '') return 1;
  return null;
}
