/** Secret references in config: `env:NAME` reads the environment at start; anything else is literal. */
import { TallyError } from '../core/index.js';

/** Resolves a secret reference; throws invalid_config (naming the field, never the value) when unset. */
export function resolveSecret(ref: string, field: string): string {
  if (!ref.startsWith('env:')) return ref;
  const name = ref.slice(4);
  const v = process.env[name];
  if (v === undefined || v === '')
    throw new TallyError('invalid_config', `${field}: environment variable ${name} is not set`, { field });
  return v;
}
