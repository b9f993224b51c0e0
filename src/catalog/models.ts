/** Model resolution: aliases and dated names to one catalog model, with close matches for typos. */
import { TallyError } from '../core/index.js';
import { CONTEXT_WINDOWS, MODELS, type ModelSpec } from './data/models.js';
import { normalizeProvider } from './deployments.js';
import { closeMatches } from './_match.js';
import type { ResolvedModel } from './types.js';

const byName = new Map<string, ModelSpec>();
const families = new Map<string, ModelSpec>();
for (const m of MODELS) {
  byName.set(m.id.toLowerCase(), m);
  for (const a of m.aliases) byName.set(a.toLowerCase(), m);
  if (!families.has(m.family)) families.set(m.family, m);
  if (!byName.has(m.family.toLowerCase())) byName.set(m.family.toLowerCase(), m);
}

const DATED = /^(.*?)-(\d{4}-\d{2}-\d{2}|\d{8})$/;

/** Every name resolveModel accepts (ids, aliases, families). */
export function knownModelNames(): string[] {
  return [...byName.keys()];
}

/**
 * Resolves an alias or dated name ('gpt-4o' -> gpt-4o-2024-08-06). A provider prefix ("azure/gpt-4o") is
 * accepted; an unknown dated version of a known family resolves to that family. Unknown names throw
 * `not_found` listing close matches.
 */
export function resolveModel(name: string, provider?: string): ResolvedModel {
  let raw = name.trim();
  let prov = provider ? normalizeProvider(provider) : undefined;
  const slash = raw.indexOf('/');
  if (slash > 0) {
    prov ??= normalizeProvider(raw.slice(0, slash));
    raw = raw.slice(slash + 1);
  }
  const key = raw.toLowerCase();
  const spec = byName.get(key);
  if (spec) return toResolved(spec, spec.id, prov);
  const dated = DATED.exec(key);
  const fam = dated ? byName.get(dated[1]!) : undefined;
  if (fam) return toResolved(fam, key, prov);
  const near = closeMatches(raw, knownModelNames());
  throw new TallyError(
    'not_found',
    `unknown model "${name}"` + (near.length ? `; did you mean ${near.join(', ')}?` : ''),
    { field: 'model', closeMatches: near },
  );
}

function toResolved(spec: ModelSpec, id: string, provider: string | undefined): ResolvedModel {
  return {
    id,
    family: spec.family,
    provider: provider ?? spec.provider,
    kind: spec.kind,
    encoding: spec.encoding,
  };
}

/** Tokens one request may hold (input + output) for a model, or undefined when not published. */
export function contextWindow(name: string): number | undefined {
  return CONTEXT_WINDOWS[resolveModel(name).family];
}
