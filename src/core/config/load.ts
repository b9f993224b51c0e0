/** Loads tally.yaml once: file (from --config, TALLY_CONFIG or ./tally.yaml), then TALLY_* env overrides, then zod. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { TallyError } from '../errors.js';
import { configSchema, type TallyConfig } from './schema.js';

/** Where the config came from, for messages. */
export interface LoadedConfig {
  readonly config: TallyConfig;
  readonly path: string | null;
}

/** Options for loadConfig. */
export interface LoadConfigOptions {
  readonly path?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/**
 * Reads and validates the config. Env overrides use `TALLY_` + the key path joined by `__`, e.g.
 * `TALLY_GATEWAY__PORT=9000`; values are parsed as YAML scalars. `TALLY_DB` sets store.path.
 */
export function loadConfig(opts: LoadConfigOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const explicit = opts.path ?? env['TALLY_CONFIG'];
  let path: string | null = null;
  let raw: unknown = {};
  if (explicit) {
    path = resolve(cwd, explicit);
    if (!existsSync(path))
      throw new TallyError(
        'invalid_config',
        `config file ${path} does not exist; pass --config with a valid path`,
        {
          file: path,
        },
      );
  } else if (existsSync(resolve(cwd, 'tally.yaml'))) {
    path = resolve(cwd, 'tally.yaml');
  }
  if (path) raw = readYaml(path);
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new TallyError(
      'invalid_config',
      `${path}: the top level must be a mapping of sections (store, gateway, ...)`,
      {
        file: path,
      },
    );
  const merged = applyEnvOverrides(raw as Record<string, unknown>, env);
  const result = configSchema.safeParse(merged);
  if (!result.success) throw configError(path, result.error);
  return { config: result.data, path };
}

function readYaml(path: string): unknown {
  try {
    return parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const line = err.linePos?.[0]?.line;
      throw new TallyError(
        'invalid_config',
        `${path}${line ? `:${line}` : ''}: not valid YAML: ${err.message}`,
        {
          file: path,
          line,
        },
      );
    }
    throw new TallyError('invalid_config', `${path}: cannot read: ${(err as Error).message}`, { file: path });
  }
}

function configError(path: string | null, error: z.ZodError): TallyError {
  const where = path ?? 'config';
  const lines = error.issues.map((i) => {
    const field = i.path.length ? i.path.join('.') : '(top level)';
    return `${where}: field "${field}": ${i.message}`;
  });
  const first = error.issues[0];
  return new TallyError('invalid_config', lines.join('\n'), {
    file: path,
    field: first ? first.path.join('.') : undefined,
  });
}

/** Applies TALLY_A__B=value overrides onto a raw config object (a copy). */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const out = structuredClone(raw);
  const reserved = new Set(['TALLY_CONFIG', 'TALLY_DB']);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('TALLY_') || value === undefined || reserved.has(name)) continue;
    if (!name.includes('__')) continue;
    const keys = name
      .slice('TALLY_'.length)
      .split('__')
      .map((k) => k.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
    if (keys.some((k) => k === '__proto__' || k === 'constructor' || k === 'prototype')) continue;
    let node: Record<string, unknown> = out;
    for (const k of keys.slice(0, -1)) {
      const next = node[k];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[k] = {};
      node = node[k] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]!] = parseYaml(value) as unknown;
  }
  if (env['TALLY_DB']) {
    const store = (typeof out['store'] === 'object' && out['store'] !== null ? out['store'] : {}) as Record<
      string,
      unknown
    >;
    out['store'] = { ...store, path: env['TALLY_DB'] };
  }
  return out;
}
