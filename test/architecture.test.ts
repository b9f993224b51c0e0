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
  ['catalog', 'store', 'owner'],
  ['ledger', 'ingest', 'estimate', 'analytics', 'policy'],
  ['gateway', 'export', 'alerts', 'demo', 'api', 'web'],
  ['mcp'],
  ['server'],
  ['cli'],
];

/**
 * Known edges against the layers, each with its reason (docs/architecture.md lists them too). The test fails
 * when one disappears, so the list shrinks with the code.
 */
const EXCEPTIONS: readonly { readonly file: string; readonly target: string; readonly why: string }[] = [
  {
    file: 'src/server/_run-command.ts',
    target: 'cli/index.js',
    why: 'the API worker runs CLI commands in-process (same output as the CLI), while `tally serve` starts the server',
  },
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
    // Test files and `_test-*` helpers are test code (the package build leaves both out): like tests, they may
    // import across layers.
    return p.endsWith('.ts') && !p.endsWith('.test.ts') && !name.startsWith('_test-') ? [p] : [];
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

test('modules import only modules below them (known exceptions listed), so circles cannot grow', () => {
  const all = edges();
  const known = (e: Edge) => EXCEPTIONS.some((x) => x.file === e.file && x.target === e.target);
  const upward = all
    .filter((e) => layerOf(e.to) >= layerOf(e.from) && !known(e))
    .map((e) => `${e.file} imports ${e.target} (${e.from} may not depend on ${e.to})`);
  assert.deepEqual(upward, []);
  const gone = EXCEPTIONS.filter((x) => !all.some((e) => e.file === x.file && e.target === x.target));
  assert.deepEqual(
    gone,
    [],
    'these exceptions no longer exist: remove them here and in docs/architecture.md',
  );
});

test("a module is entered only through its door: no import of another module's private _ files or inner folders", () => {
  const bypass = edges()
    .filter((e) => !/^[^/]+\/index\.(js|ts)$/.test(e.target))
    .map((e) => `${e.file} imports ${e.target}; import ${e.to}/index.js instead`);
  assert.deepEqual(bypass, []);
});

/** Strongly connected groups of two or more files (Tarjan), each a circle of imports. */
function fileCircles(): string[][] {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const key = relative(SRC, file).replace(/\.ts$/, '');
    const targets = [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) =>
      relative(SRC, resolve(dirname(file), m[1]!)).replace(/\.js$/, ''),
    );
    graph.set(key, targets);
  }
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) circles.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
}

test('no file imports itself back through a circle, but for the CLI run in-process by the server', () => {
  // The one exception above (server/_run-command imports cli) closes a loop through the CLI's commands.
  const unexpected = fileCircles().filter((c) => !c.includes('server/_run-command'));
  assert.deepEqual(unexpected, []);
});
