/**
 * One redaction boundary for what the gateway writes: error bodies to clients, log lines, ledger strings and
 * relayed upstream errors. Every secret configured (upstream API keys, Entra secrets and tokens, the admin and
 * metrics tokens, a Redis password) is replaced wherever it appears, and so are credential-shaped strings an
 * upstream may echo (`Bearer …`, `sk-…`, `tally-sk-…`) that config cannot list.
 */
import { TallyError, toTallyError, type TallyConfig } from '../core/index.js';
import { resolveSecret } from './_secrets.js';

const REDACTED = '[redacted]';
// Credential shapes: bearer tokens, OpenAI-style keys and our own virtual keys (8+ characters of token text).
const CREDENTIAL = /\b(?:Bearer\s+[A-Za-z0-9._~+/=-]{8,}|(?:tally-)?sk-[A-Za-z0-9_-]{8,})/g;
// Secrets shorter than this are not searched for: a 3-character "secret" would redact ordinary words.
const MIN_SECRET = 8;

/** Replaces configured secrets and credential-shaped strings in text. */
export class Redactor {
  private readonly secrets: readonly string[];

  constructor(secrets: readonly string[]) {
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET))].sort(
      (a, b) => b.length - a.length,
    );
  }

  /** The text with every secret replaced (the same string when there is none). */
  text(s: string): string {
    let out = s;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    CREDENTIAL.lastIndex = 0;
    return CREDENTIAL.test(out) ? out.replace(CREDENTIAL, REDACTED) : out;
  }

  /** Like `text` for strings that may be null (ledger fields). */
  nullable(s: string | null): string | null {
    return s === null ? null : this.text(s);
  }

  /** The error as a TallyError whose message carries no secret. */
  error(err: unknown): TallyError {
    const te = toTallyError(err);
    const message = this.text(te.message);
    return message === te.message ? te : new TallyError(te.code, message, te.details);
  }
}

/** Every secret the gateway's config holds, resolved (env references that are unset are skipped). */
export function configuredSecrets(config: TallyConfig, extra: readonly string[] = []): string[] {
  const g = config.gateway;
  const refs: string[] = [];
  for (const u of g?.upstreams ?? []) {
    if (u.apiKey) refs.push(u.apiKey);
    if (u.entra?.clientSecret) refs.push(u.entra.clientSecret);
    if (u.entra?.token) refs.push(u.entra.token);
  }
  if (g?.adminToken) refs.push(g.adminToken);
  if (g?.metrics?.token) refs.push(g.metrics.token);
  if (g?.limits?.redis?.password) refs.push(g.limits.redis.password);
  const out = [...extra];
  for (const r of refs)
    try {
      out.push(resolveSecret(r, 'secret'));
    } catch {
      // unset env reference: nothing to redact
    }
  const redis = g?.limits?.redis?.url;
  const password = redis ? /^[a-z]+:\/\/[^:@/]*:([^@/]+)@/i.exec(redis)?.[1] : undefined;
  if (password) out.push(decodeURIComponent(password));
  return out;
}
