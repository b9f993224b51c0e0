/**
 * The dependency rules docs/architecture.md states, checked on the sources so they stay true: modules (folders
 * of src/) import each other only downwards in LAYERS, never in a circle, and only through the other module's
 * door (its index.ts), never its private `_` files or inner folders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from './cli.js';

/** Layers, bottom first; a module imports only modules of lower layers (the diagram in docs/architecture.md). */
const LAYERS: readonly (readonly string[])[] = [
  ['core'],
  ['catalog', 'store'],
  ['ledger', 'ingest', 'estimate', 'analytics', 'policy'],
  ['gateway', 'export', 'alerts', 'demo'],
  ['cli'],
];

const SRC = join(REPO_ROOT, 'src');

/** One import between two modules. */
interface Edge {
  readonly file: string;
  readonly from: string;
  readonly to: string;
  /** Path of the imported file inside src/, e.g. analytics/index.js. */
  readonly target: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

// Static imports and re-exports (type-only ones too: a type is a dependency), and dynamic import('...').
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm;

function edges(): Edge[] {
  return sourceFiles(SRC).flatMap((file) => {
    const from = relative(SRC, file).split('/')[0]!;
    return [...readFileSync(file, 'utf8').matchAll(IMPORT)].flatMap((m) => {
      const target = relative(SRC, resolve(dirname(file), m[1]!));
      const to = target.split('/')[0]!;
      return to === from ? [] : [{ file: relative(REPO_ROOT, file), from, to, target }];
    });
  });
}

const layerOf = (module: string) => LAYERS.findIndex((l) => l.includes(module));

test('every module has a layer in the architecture', () => {
  const modules = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
  const missing = modules.filter((m) => layerOf(m) < 0);
  assert.deepEqual(missing, [], 'add these src/ folders to LAYERS here and to docs/architecture.md');
});

test('modules import only modules below them, so there is no import circle between modules', () => {
  const upward = edges()
    .filter((e) => layerOf(e.to) >= layerOf(e.from))
    .map((e) => `${e.file} imports ${e.target} (${e.from} may not depend on ${e.to})`);
  assert.deepEqual(upward, []);
});

test("a module is entered only through its door: no import of another module's private _ files or inner folders", () => {
  const bypass = edges()
    .filter((e) => !/^[^/]+\/index\.(js|ts)$/.test(e.target))
    .map((e) => `${e.file} imports ${e.target}; import ${e.to}/index.js instead`);
  assert.deepEqual(bypass, []);
});
