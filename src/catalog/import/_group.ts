/** Groups per-token-type meter prices into catalog price records (input + cached + output per model). */
import { parseUsd, type Nanos } from '../../core/index.js';
import { resolveModel } from '../models.js';
import type { PriceRecord, PtuPriceRecord } from '../types.js';
import type { TokenMeter } from './_meters.js';

/** One priced meter row after parsing. */
export interface MeterPrice extends TokenMeter {
  nanosPerMTok: Nanos;
  region: string | undefined;
  effectiveFrom: string;
}

/** The outcome of an import: records to register and counts of what was skipped, by reason. */
export interface ImportResult {
  records: PriceRecord[];
  /** PTU hourly / reservation prices (Retail API only). */
  ptu: PtuPriceRecord[];
  rows: number;
  skipped: Record<string, number>;
}

/** Price per 1M tokens from a price text and the tokens one unit covers, exactly (no float multiplication). */
export function perMTok(price: string | number, tokensPerUnit: number): Nanos {
  const text = typeof price === 'number' ? String(price) : price.trim();
  const shift = Math.round(Math.log10(1_000_000 / tokensPerUnit));
  const m = /^([+-]?[\d.]+)(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return parseUsd(text);
  return parseUsd(`${m[1]}e${Number(m[2] ?? '0') + shift}`);
}

/** Normalises a date ("2024-08-01T00:00:00Z", "05/01/2023") to YYYY-MM-DD; undefined when unreadable. */
export function isoDay(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const iso = /^(\d{4}-\d{2}-\d{2})/.exec(s.trim());
  if (iso) return iso[1];
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(s.trim());
  if (us) return `${us[3]}-${us[1]!.padStart(2, '0')}-${us[2]!.padStart(2, '0')}`;
  return undefined;
}

/** Adds one to a skip-reason counter. */
export function skip(counts: Record<string, number>, reason: string): void {
  counts[reason] = (counts[reason] ?? 0) + 1;
}

/** Builds records from meter prices; groups without both input and output (chat models) are skipped. */
export function groupMeters(
  meters: readonly MeterPrice[],
  meta: { basis: 'list' | 'effective'; source: string; version: string },
  skipped: Record<string, number>,
): PriceRecord[] {
  const groups = new Map<string, { m: MeterPrice; input?: Nanos; cached?: Nanos; output?: Nanos }>();
  for (const m of meters) {
    const key = [m.model, m.deployment, m.region ?? '', m.effectiveFrom].join('|');
    const g = groups.get(key) ?? { m };
    g[m.tokenType === 'input' ? 'input' : m.tokenType === 'cached' ? 'cached' : 'output'] = m.nanosPerMTok;
    groups.set(key, g);
  }
  const out: PriceRecord[] = [];
  for (const g of groups.values()) {
    const kind = resolveModel(g.m.family).kind;
    const output = g.output ?? (kind === 'embedding' ? 0n : undefined);
    if (g.input === undefined || output === undefined) {
      skip(skipped, 'incomplete model price (needs input and output meters)');
      continue;
    }
    out.push({
      model: g.m.model,
      deployment: g.m.deployment,
      provider: 'azure',
      inputNanosPerMTok: g.input,
      cachedInputNanosPerMTok: g.cached ?? null,
      outputNanosPerMTok: output,
      cacheWriteNanosPerMTok: null,
      effectiveFrom: g.m.effectiveFrom,
      source: meta.source,
      version: meta.version,
      ...(g.m.region ? { region: g.m.region } : {}),
      basis: meta.basis,
    });
  }
  return out;
}
