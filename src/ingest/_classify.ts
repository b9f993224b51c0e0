/**
 * AI spend classification: which cost rows are AI, and for those the provider, model, token type, deployment
 * type and service. Order of evidence: resource type, then meter category/subcategory (old "Cognitive Services"
 * and new "Foundry Models"/"Foundry Tools" naming), then service name/category, then the meter name itself.
 * It runs once per distinct combination of these inputs (thousands, not millions), so it is plain TypeScript.
 */

/** The columns classification reads (any may be null). */
export interface ChargeFacts {
  readonly providerName: string | null;
  readonly serviceCategory: string | null;
  readonly serviceName: string | null;
  readonly serviceSubcategory: string | null;
  /** FOCUS ResourceType, Azure x_ResourceType (ARM type) or a type derived from ResourceId. */
  readonly resourceType: string | null;
  /** Azure MeterCategory / x_SkuMeterCategory. */
  readonly meterCategory: string | null;
  /** Azure MeterSubCategory / x_SkuMeterSubcategory. */
  readonly meterSubcategory: string | null;
  /** SkuMeter / MeterName, e.g. "gpt-4o-mini-0718-Inp-glbl Tokens". */
  readonly skuMeter: string | null;
  readonly chargeDescription: string | null;
}

/** The x_Ai* values of one AI row. */
export interface AiClass {
  readonly provider: string;
  readonly model: string | null;
  readonly tokenType: 'input' | 'cached-input' | 'output' | 'training' | 'none';
  readonly deploymentType: string | null;
  readonly service: string;
}

/** Services recognised by ARM resource type (lowercase prefix match). */
const RESOURCE_TYPES: readonly (readonly [string, string])[] = [
  ['microsoft.cognitiveservices', 'ai-services'],
  ['microsoft.search/searchservices', 'ai-search'],
  ['microsoft.machinelearningservices', 'ml'],
  ['microsoft.machinelearning/', 'ml'],
  ['microsoft.botservice', 'bot'],
  ['microsoft.videoindexer', 'video-indexer'],
];

/** Services recognised by words in meter category/subcategory, service name or resource type display name. */
const SERVICE_WORDS: readonly (readonly [RegExp, string])[] = [
  [/openai|foundry models|gpt|dall-?e|whisper|sora/i, 'openai'],
  [/document intelligence|form recognizer/i, 'document-intelligence'],
  [/speech/i, 'speech'],
  [/translat/i, 'translator'],
  [/language|text analytics|\bluis\b/i, 'language'],
  [/computer vision|\bvision\b|face api|\bface\b/i, 'vision'],
  [/content safety/i, 'content-safety'],
  [/(cognitive|ai) search|azure search|^search$/i, 'ai-search'],
  [/machine learning|sagemaker|vertex ai/i, 'ml'],
  [/bedrock/i, 'bedrock'],
  [/bot service/i, 'bot'],
  [/cognitive services|foundry tools|ai services|azure ai|ai foundry/i, 'ai-services'],
];

/** Meter categories that are AI in both the old and the new Azure naming. */
const AI_METER_CATEGORY =
  /^(cognitive services|foundry models|foundry tools|azure openai|azure ai services|azure ai foundry|azure cognitive search|azure ai search|search|machine learning|azure machine learning)$/i;

/** Third-party model families sold through Azure Foundry Models: meter words that name a model vendor. */
const NON_OPENAI_FAMILIES =
  /deepseek|\br1\b|grok|mistral|\bphi|llama|cohere|\bmai\b|jais|ministral|codestral/i;

/** Meter words that say nothing about the model; dropped when the model name is read from a meter. */
const METER_NOISE = new Set([
  'inp',
  'input',
  'in',
  'outp',
  'output',
  'out',
  'opt',
  'glbl',
  'gl',
  'global',
  'gbl',
  'dzone',
  'dz',
  'data',
  'zone',
  'datazone',
  'regnl',
  'rgnl',
  'regional',
  'reg',
  'batch',
  'cached',
  'cchd',
  'cd',
  'cache',
  'tokens',
  'token',
  'tok',
  '1k',
  '1m',
  'k',
  'm',
  'provisioned',
  'managed',
  'unit',
  'units',
  'std',
  'standard',
  'ep',
  'images',
  'image',
  'img',
  'hosting',
  'hour',
  'hours',
  'hr',
  'training',
  'trng',
  'train',
  'ft',
  'ftuned',
  'finetuned',
  'fine',
  'tune',
  'tuned',
  'lowres',
  'hires',
  'second',
  'seconds',
  'sec',
  'mtok',
  'deployment',
  'developer',
  'dev',
  'azure',
  'openai',
  'aoai',
  'pp',
  'us',
  'eu',
  'text',
  'audio',
  'realtime',
  'rt',
]);
// "text" and "audio" are modality words in realtime meters; "text-embedding-*" keeps them (see modelFromMeter).

const lower = (s: string | null): string => (s ?? '').toLowerCase();

function serviceFor(f: ChargeFacts): string | null {
  const rt = lower(f.resourceType);
  let service: string | null = null;
  for (const [prefix, svc] of RESOURCE_TYPES) if (rt.startsWith(prefix)) service = svc;
  const meterText = [f.meterCategory, f.meterSubcategory].filter(Boolean).join(' ');
  const aiCategory = AI_METER_CATEGORY.test(f.meterCategory ?? '');
  if (service === null && !aiCategory) {
    const text = [f.serviceName, f.resourceType, f.serviceSubcategory].filter(Boolean).join(' ');
    for (const [re, svc] of SERVICE_WORDS) if (re.test(text)) return svc === 'ai-services' ? refine(f) : svc;
    if (lower(f.serviceCategory) === 'ai and machine learning') return refine(f);
    if (looksLikeModelMeter(f.skuMeter)) return 'openai';
    return null;
  }
  if (service === 'ai-services' || service === null) {
    for (const [re, svc] of SERVICE_WORDS)
      if (re.test(meterText)) return svc === 'ai-services' ? refine(f) : svc;
    return refine(f);
  }
  return service;
}

/** A Cognitive-Services-family row: token, PTU or hosting meters are model inference; the rest AI services. */
function refine(f: ChargeFacts): string {
  const m = f.skuMeter ?? '';
  if (looksLikeModelMeter(m) || /provisioned managed|hosting/i.test(m)) return 'openai';
  const text = [f.serviceName, f.meterSubcategory, f.chargeDescription].filter(Boolean).join(' ');
  for (const [re, svc] of SERVICE_WORDS) if (svc !== 'ai-services' && re.test(text)) return svc;
  return 'ai-services';
}

function looksLikeModelMeter(meter: string | null): boolean {
  return (
    /\btokens?\b/i.test(meter ?? '') &&
    /\b(inp|input|outp|output|cached|cd|training|trng)\b|-(inp|outp)\b/i.test(meter ?? '')
  );
}

function tokenTypeOf(meter: string): AiClass['tokenType'] {
  const m = meter.toLowerCase();
  if (/\b(training|trng|train)\b/.test(m)) return 'training';
  if (!/\btokens?\b|\bmtok\b|\b1[km]\b/.test(m)) return 'none';
  if (/\b(cached|cchd|cd|cache)\b/.test(m)) return 'cached-input';
  if (/\b(outp|output|out|opt)\b/.test(m)) return 'output';
  // Token meters without a direction (embeddings) bill input tokens.
  return 'input';
}

function deploymentOf(meter: string, f: ChargeFacts, tokenType: AiClass['tokenType']): string | null {
  const m = meter.toLowerCase();
  const ctx = `${lower(f.chargeDescription)} ${lower(f.meterSubcategory)}`;
  if (/provisioned/.test(m) || /provisioned throughput/.test(ctx))
    return /reserv/.test(`${m} ${ctx}`) ? 'provisioned-reservation' : 'provisioned';
  if (/hosting/.test(m)) return 'fine-tune-hosting';
  if (tokenType === 'training') return 'fine-tune-training';
  if (/\bbatch\b/.test(m)) return 'batch';
  if (/\b(dzone|dz|data ?zone|datazone)\b/.test(m)) return 'data-zone';
  if (/\b(glbl|gl|global|gbl)\b/.test(m)) return 'global-standard';
  if (/\b(regnl|rgnl|regional|reg)\b/.test(m)) return 'regional';
  // Older Azure OpenAI token meters ("gpt-4 Input Tokens") predate deployment suffixes: they are regional Standard.
  return tokenType === 'none' ? null : 'regional';
}

/** Reads a model name from a meter: "gpt 4o 0513 Output global Tokens" -> "gpt-4o". */
export function modelFromMeter(meter: string): string | null {
  const cleaned = meter
    .toLowerCase()
    .replace(/\b\d{4}-\d{2}-\d{2}\b/g, ' ') // dated snapshots: 2024-07-18
    .replace(/\btext[- ]embedding/g, 'textembeddingmodel'); // keep "text-" in embedding names
  const words = cleaned
    .split(/[\s\-_/()]+/)
    .filter((w) => w.length > 0)
    .filter((w) => !METER_NOISE.has(w))
    .filter((w) => !/^\d{4}$/.test(w)); // 4-digit snapshot dates: 0513, 0718
  if (words.length === 0) return null;
  let model = words.join('-').replace(/textembeddingmodel/g, 'text-embedding');
  if (model === 'r1') model = 'deepseek-r1';
  // Azure GPT-5 family meters drop the "gpt" prefix: "5.4 inp Gl 1M Tokens".
  if (/^\d/.test(model)) model = `gpt-${model}`;
  return model;
}

function providerFor(f: ChargeFacts): string {
  const p = lower(f.providerName);
  if (p.includes('microsoft') || p.includes('azure') || lower(f.resourceType).startsWith('microsoft.'))
    return 'azure';
  if (p.includes('amazon') || p.includes('aws')) return 'aws';
  if (p.includes('google')) return 'gcp';
  if (p.includes('openai')) return 'openai';
  if (p.includes('anthropic')) return 'anthropic';
  if (p === '' && (f.meterCategory !== null || lower(f.resourceType).includes('cognitive'))) return 'azure';
  return p.replace(/\s+/g, '-') || 'unknown';
}

/** Classifies one charge; null when it is not AI spend. AI Search and ML-workspace compute count as AI. */
export function classifyCharge(f: ChargeFacts): AiClass | null {
  const service = serviceFor(f);
  if (service === null) return null;
  const meter = f.skuMeter ?? '';
  const provider = providerFor(f);
  if (service !== 'openai') {
    const tokenType = tokenTypeOf(meter);
    return { provider, model: null, tokenType, deploymentType: null, service };
  }
  const tokenType = tokenTypeOf(meter);
  const deploymentType = deploymentOf(meter, f, tokenType);
  const modelMeter = tokenType !== 'none' || /\b(images?|second|seconds|hosting)\b/i.test(meter);
  const model = modelMeter ? modelFromMeter(meter) : null;
  const familyText = `${meter} ${f.meterSubcategory ?? ''} ${f.chargeDescription ?? ''}`;
  const vendorService = NON_OPENAI_FAMILIES.test(familyText) && !/gpt|openai|\bo\d/i.test(familyText);
  return { provider, model, tokenType, deploymentType, service: vendorService ? 'foundry-models' : 'openai' };
}
