import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TallyError } from '../errors.js';
import { loadConfig } from './load.js';

const SECRET = 'sk-live-9f8e7d6c5b4a';

function withConfig(text: string, fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'tally-config-'));
  try {
    const path = join(dir, 'tally.yaml');
    writeFileSync(path, text);
    fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const configError = (fn: () => unknown): TallyError => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TallyError);
    assert.equal(err.code, 'invalid_config');
    return err;
  }
  assert.fail('expected an invalid_config error');
};

test("a YAML error never prints a secret's line, and still says where and what", () => {
  const files = [
    `gateway:\n  upstreams:\n    - apiKey: ${SECRET}: x\n`,
    `gateway:\n  adminToken: "${SECRET}\n`,
    `a: 1\na: ${SECRET}\n`,
    `x: !custom ${SECRET}\n`,
  ];
  for (const text of files)
    withConfig(text, (path) => {
      const err = configError(() => loadConfig({ path, env: {} }));
      assert.doesNotMatch(err.message + JSON.stringify(err.details), new RegExp(SECRET));
      assert.match(err.message, new RegExp(`tally\\.yaml:\\d+:\\d+: not valid YAML`));
    });
});

test('an env override error names the variable', () => {
  const cases: [Record<string, string>, string][] = [
    [{ TALLY_GATEWAY__PORT: 'not-a-port' }, 'TALLY_GATEWAY__PORT'],
    [{ TALLY_STORE__MEMORY_LIMIT: 'lots' }, 'TALLY_STORE__MEMORY_LIMIT'],
    [{ TALLY_INGEST__MAX_DECOMPRESSION_RATIO: '0' }, 'TALLY_INGEST__MAX_DECOMPRESSION_RATIO'],
    [{ TALLY_STORE__NO_SUCH_KEY: '1' }, 'TALLY_STORE__NO_SUCH_KEY'],
  ];
  for (const [env, name] of cases)
    withConfig('version: 1\n', (path) => {
      const err = configError(() => loadConfig({ path, env }));
      assert.match(err.message, new RegExp(`${name} \\(env override\\)`), err.message);
      assert.equal(err.details['variable'], name);
    });
});

test('an env override that is not valid YAML names the variable and never echoes its value', () => {
  withConfig('version: 1\n', (path) => {
    const err = configError(() => loadConfig({ path, env: { TALLY_GATEWAY__ADMIN_TOKEN: `[${SECRET}` } }));
    assert.match(err.message, /TALLY_GATEWAY__ADMIN_TOKEN/);
    assert.doesNotMatch(err.message, new RegExp(SECRET));
  });
});

test("the ledger's flush interval defaults to a second and refuses values that would starve or flood the store", () => {
  const base = 'version: 1\ngateway:\n  port: 8789\n  upstreams: []\n  routes: []\n';
  withConfig(base, (path) =>
    assert.equal(loadConfig({ path, env: {} }).config.gateway?.flushIntervalMs, 1000),
  );
  withConfig(`${base}  flushIntervalMs: 5000\n`, (path) =>
    assert.equal(loadConfig({ path, env: {} }).config.gateway?.flushIntervalMs, 5000),
  );
  const err = withConfigError(`${base}  flushIntervalMs: 10\n`);
  assert.match(err.message, /flushIntervalMs/);
});

test('the largest upload defaults to 512 MiB and is set in server.maxUploadMb, a whole number of MiB', () => {
  withConfig('version: 1\n', (path) =>
    assert.equal(loadConfig({ path, env: {} }).config.server.maxUploadMb, 512),
  );
  withConfig('version: 1\nserver:\n  maxUploadMb: 4096\n', (path) =>
    assert.equal(loadConfig({ path, env: {} }).config.server.maxUploadMb, 4096),
  );
  assert.match(withConfigError('version: 1\nserver:\n  maxUploadMb: 0.5\n').message, /maxUploadMb/);
});

function withConfigError(text: string): TallyError {
  let err: TallyError | undefined;
  withConfig(text, (path) => {
    err = configError(() => loadConfig({ path, env: {} }));
  });
  return err!;
}
