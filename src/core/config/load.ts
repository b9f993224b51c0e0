/** Loads tally.yaml once: file (from --config, TALLY_CONFIG or ./tally.yaml), then TALLY_* env overrides, then zod. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parse as parseYaml, parseDocument } from 'yaml';
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
  const fromEnv = new Map<string, string>();
  const merged = applyEnvOverrides(raw as Record<string, unknown>, env, fromEnv);
  const result = configSchema.safeParse(merged);
  if (!result.success) throw configError(path, result.error, fromEnv);
  return { config: result.data, path };
}

/**
 * Parses the file without ever echoing its text: the yaml library's pretty errors and warnings quote the
 * offending line, and in a config file that line can hold an upstream key. Messages keep the line, column and
 * what was wrong.
 */
function readYaml(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TallyError('invalid_config', `${path}: cannot read: ${(err as Error).message}`, { file: path });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const { line, col } = lineCounter.linePos(problem.pos[0]);
    throw new TallyError(
      'invalid_config',
      `${path}:${line}:${col}: not valid YAML: ${problem.message} (${problem.code}; the line is not shown, as it may hold a secret)`,
      { file: path, line, column: col },
    );
  }
  return doc.toJS() as unknown;
}

function configError(
  path: string | null,
  error: z.ZodError,
  fromEnv: ReadonlyMap<string, string>,
): TallyError {
  const where = path ?? 'config';
  // The env variable that set a field (or one of the unknown keys of an object), so the message names it.
  const variableFor = (i: z.ZodIssue): string | undefined => {
    const keys = 'keys' in i && Array.isArray(i.keys) ? (i.keys as string[]) : [];
    for (const k of keys) {
      const v = fromEnv.get([...i.path, k].join('.'));
      if (v) return v;
    }
    for (let n = i.path.length; n > 0; n--) {
      const v = fromEnv.get(i.path.slice(0, n).join('.'));
      if (v) return v;
    }
    return undefined;
  };
  const lines = error.issues.map((i) => {
    const field = i.path.length ? i.path.join('.') : '(top level)';
    const variable = variableFor(i);
    // zod quotes the received value of an enum or literal; a misplaced secret must not be echoed.
    const message = i.message.replace(/received (['"]).*\1/g, 'received another value');
    return `${variable ? `${variable} (env override)` : where}: field "${field}": ${message}`;
  });
  const first = error.issues[0];
  const variable = first ? variableFor(first) : undefined;
  return new TallyError('invalid_config', lines.join('\n'), {
    file: path,
    field: first ? first.path.join('.') : undefined,
    ...(variable ? { variable } : {}),
  });
}

/** Applies TALLY_A__B=value overrides onto a raw config object (a copy). */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  /** Filled with field path ("gateway.port") -> the variable that set it, for error messages. */
  fromEnv?: Map<string, string>,
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
    let parsed: unknown;
    try {
      parsed = parseYaml(value, { logLevel: 'error' }) as unknown;
    } catch (err) {
      // The value itself is not shown: env overrides are how secrets usually arrive.
      throw new TallyError(
        'invalid_config',
        `${name} (env override): not a valid YAML value (${(err as { code?: string }).code ?? 'parse error'}); quote it, e.g. ${name}='"..."'`,
        { variable: name, field: keys.join('.') },
      );
    }
    node[keys[keys.length - 1]!] = parsed;
    fromEnv?.set(keys.join('.'), name);
  }
  if (env['TALLY_DB']) {
    const store = (typeof out['store'] === 'object' && out['store'] !== null ? out['store'] : {}) as Record<
      string,
      unknown
    >;
    out['store'] = { ...store, path: env['TALLY_DB'] };
    fromEnv?.set('store.path', 'TALLY_DB');
  }
  return out;
}
