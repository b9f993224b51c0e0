/**
 * Energy per output token, following the EcoLogits LLM-inference methodology (genai-impact/ecologits,
 * docs/methodology/llm_inference.md, v1.0 equations as summarised in our domain notes §5):
 *   GPU energy per output token     = 8.91e-5 × P_active[B] + 1.43e-3 Wh
 *   latency per output token        = 8.02e-4 × P_active[B] + 2.23e-2 s
 *   GPUs                            = ceil(1.2 × P_total[B] × 4 bits ÷ 8 ÷ 80 GB)   (EcoLogits: 4-bit weights)
 *   server energy without GPUs      = latency × 1 kW × GPUs ÷ 8
 *   request energy                  = PUE × (GPUs × GPU energy + server energy)
 * (constants as in ecologits/impacts/llm.py: MODEL_QUANTIZATION_BITS 4, GPU_MEMORY 80, SERVER_GPUS 8, SERVER_POWER 1).
 * Usage phase only (no embodied impacts). OpenAI does not publish parameter counts, so every model gets a
 * range of active parameters by size class (our assumption, stated in docs/carbon.md); low and high are the
 * equations at the two ends. v1 assumes one request at a time on the GPUs (no batching), which is why it sits
 * an order of magnitude above 2025 operator disclosures (Google's median Gemini prompt 0.24 Wh).
 */

/** A size class and its assumed active parameters, billions (dense: total = active). */
export interface SizeClass {
  readonly name: string;
  readonly lowB: number;
  readonly highB: number;
}

/** Size classes (our assumption; OpenAI publishes no parameter counts). */
export const SIZE_CLASSES: Record<string, SizeClass> = {
  nano: { name: 'nano', lowB: 1, highB: 8 },
  small: { name: 'small', lowB: 8, highB: 30 },
  mid: { name: 'mid', lowB: 30, highB: 120 },
  large: { name: 'large', lowB: 120, highB: 400 },
};

const FAMILY_CLASS: Record<string, keyof typeof SIZE_CLASSES> = {
  'gpt-4.1-nano': 'nano',
  'gpt-5-nano': 'nano',
  'gpt-4o-mini': 'small',
  'gpt-4.1-mini': 'small',
  'gpt-5-mini': 'small',
  'o4-mini': 'small',
  'o3-mini': 'small',
  'o1-mini': 'small',
  'claude-haiku-4-5': 'small',
  'gpt-4o': 'mid',
  'gpt-4.1': 'mid',
  'gpt-5': 'mid',
  'gpt-5.1': 'mid',
  'gpt-5.2': 'mid',
  o3: 'mid',
  'claude-sonnet-4': 'mid',
  'claude-sonnet-4-5': 'mid',
  'claude-sonnet-4-6': 'mid',
  'gpt-5.4': 'large',
  'gpt-5.5': 'large',
  o1: 'large',
  'o3-pro': 'large',
  'gpt-4': 'large',
  'gpt-4-turbo': 'large',
  'claude-opus-4-5': 'large',
};

/** The size class of a model family (unknown families: mid, the widest common case). */
export function sizeClassOf(family: string): SizeClass {
  return SIZE_CLASSES[FAMILY_CLASS[family] ?? 'mid']!;
}

/** PUE of Azure data centres (Cloud Carbon Footprint's Azure constant). */
export const AZURE_PUE = 1.185;
/** EcoLogits' default PUE, for providers without a published figure. */
export const DEFAULT_PUE = 1.2;

/** Bits per weight EcoLogits v1 assumes (MODEL_QUANTIZATION_BITS); it sets how many 80 GB GPUs hold a model. */
export const QUANTIZATION_BITS = 4;

/** Wh per output token for a model of `paramsB` billion (active = total) parameters at a PUE. */
export function whPerOutputToken(paramsB: number, pue: number): number {
  const gpuWh = 8.91e-5 * paramsB + 1.43e-3;
  const latencyS = 8.02e-4 * paramsB + 2.23e-2;
  const gpus = Math.ceil((1.2 * paramsB * QUANTIZATION_BITS) / 8 / 80);
  const serverWh = (latencyS * 1000 * (gpus / 8)) / 3600;
  // Each GPU holding a share of the weights draws the fitted single-GPU energy (request_energy in llm.py).
  return pue * (gpus * gpuWh + serverWh);
}

/** Low and high Wh per output token for a family at a PUE. */
export function energyRange(family: string, pue: number): { low: number; high: number; sizeClass: string } {
  const c = sizeClassOf(family);
  return { low: whPerOutputToken(c.lowB, pue), high: whPerOutputToken(c.highB, pue), sizeClass: c.name };
}

/** The method, named and versioned in every carbon report. */
export const CARBON_METHOD = {
  name: 'ecologits-llm-inference',
  version: 'EcoLogits methodology v1.0 equations; tally-carbon 2 (2026-12)',
  scope: 'usage phase (electricity) only; embodied impacts and water are not included',
  energy:
    'per output token: PUE × (GPUs × GPU 8.91e-5·P+1.43e-3 Wh + server 1 kW × GPUs/8 × latency (8.02e-4·P+2.23e-2 s)); GPUs = ceil(1.2·P·4 bits/8 ÷ 80 GB); P = assumed active parameters (B) by size class: low and high ends give the range',
  pue: { azure: AZURE_PUE, other: DEFAULT_PUE },
  sizeClasses: SIZE_CLASSES,
} as const;
