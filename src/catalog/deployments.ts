/**
 * Deployment types and providers: canonical names and the spellings people and Azure ARM use for them.
 * Azure: global-standard, data-zone, regional, batch, data-zone-batch, provisioned (global),
 * data-zone-provisioned, regional-provisioned, fine-tuned. OpenAI / Anthropic direct: standard, batch.
 */
import { TallyError } from '../core/index.js';
import { closeMatches } from './_match.js';

/** Azure deployment types, canonical names. */
export const AZURE_DEPLOYMENTS = [
  'global-standard',
  'data-zone',
  'regional',
  'batch',
  'data-zone-batch',
  'provisioned',
  'data-zone-provisioned',
  'regional-provisioned',
  'fine-tuned',
] as const;

/** Deployment types of direct providers (OpenAI, Anthropic). */
export const DIRECT_DEPLOYMENTS = ['standard', 'batch'] as const;

/** Provisioned (PTU) deployment types: billed per PTU-hour, zero marginal token cost. */
export const PROVISIONED_DEPLOYMENTS = [
  'provisioned',
  'data-zone-provisioned',
  'regional-provisioned',
] as const;

/** Providers the catalog knows. */
export const PROVIDERS = ['azure', 'openai', 'anthropic'] as const;

// Keys are lower-case with every non-alphanumeric removed, so "GlobalStandard", "global_standard" and
// "Global Standard" all match.
const DEPLOYMENT_ALIASES: Record<string, string> = {
  globalstandard: 'global-standard',
  global: 'global-standard',
  datazone: 'data-zone',
  datazonestandard: 'data-zone',
  dz: 'data-zone',
  regional: 'regional',
  regionalstandard: 'regional',
  standard: 'standard',
  batch: 'batch',
  globalbatch: 'batch',
  datazonebatch: 'data-zone-batch',
  provisioned: 'provisioned',
  ptu: 'provisioned',
  globalprovisioned: 'provisioned',
  globalprovisionedmanaged: 'provisioned',
  datazoneprovisioned: 'data-zone-provisioned',
  datazoneprovisionedmanaged: 'data-zone-provisioned',
  regionalprovisioned: 'regional-provisioned',
  provisionedmanaged: 'regional-provisioned',
  finetuned: 'fine-tuned',
  finetune: 'fine-tuned',
};

const PROVIDER_ALIASES: Record<string, string> = {
  azure: 'azure',
  azureopenai: 'azure',
  aoai: 'azure',
  foundry: 'azure',
  azureai: 'azure',
  openai: 'openai',
  anthropic: 'anthropic',
  claude: 'anthropic',
};

function squash(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Canonical provider name; unknown names throw `invalid_input` listing the known ones. */
export function normalizeProvider(name: string): string {
  const p = PROVIDER_ALIASES[squash(name)];
  if (p) return p;
  throw new TallyError('invalid_input', `unknown provider "${name}"; known: ${PROVIDERS.join(', ')}`, {
    field: 'provider',
    allowed: [...PROVIDERS],
  });
}

/** Canonical deployment type for a provider; unknown names throw `invalid_input` listing close matches. */
export function normalizeDeployment(name: string, provider: string): string {
  const d = DEPLOYMENT_ALIASES[squash(name)];
  const allowed: readonly string[] = provider === 'azure' ? AZURE_DEPLOYMENTS : DIRECT_DEPLOYMENTS;
  if (d !== undefined) {
    // Azure "Standard" is regional standard; a direct provider's "global standard" is its standard tier.
    if (provider === 'azure' && d === 'standard') return 'regional';
    if (provider !== 'azure' && d === 'global-standard') return 'standard';
    if (allowed.includes(d)) return d;
  }
  // Match against canonical names and the squashed aliases ("glbal" is close to "global").
  const viaAlias = closeMatches(squash(name), Object.keys(DEPLOYMENT_ALIASES), 8).map(
    (k) => DEPLOYMENT_ALIASES[k]!,
  );
  const near = [...new Set([...closeMatches(name, allowed), ...viaAlias])]
    .filter((x) => allowed.includes(x))
    .slice(0, 5);
  throw new TallyError(
    'invalid_input',
    `unknown deployment type "${name}" for ${provider}` +
      (near.length ? `; did you mean ${near.join(', ')}?` : '') +
      ` (known: ${allowed.join(', ')})`,
    { field: 'deployment', closeMatches: near, allowed: [...allowed] },
  );
}

/** True for PTU deployment types (canonical names). */
export function isProvisioned(deployment: string): boolean {
  return (PROVISIONED_DEPLOYMENTS as readonly string[]).includes(deployment);
}
