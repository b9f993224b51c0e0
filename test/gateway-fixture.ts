/** Test fixture: a mock upstream, a tally.yaml pointing at it, and a temp store directory. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockUpstream, type MockUpstream } from '../src/gateway/testing/mock-upstream.js';

/** A fixture for one test file. */
export interface GatewayFixture {
  dir: string;
  configPath: string;
  dbPath: string;
  mock: MockUpstream;
  cleanup(): Promise<void>;
}

/** YAML for a gateway whose upstreams all point at the mock. */
export function fixtureYaml(mockUrl: string, extra = ''): string {
  return `version: 1
gateway:
  port: 0
  maxBodyBytes: 65536
  timeouts: { connectMs: 1000, firstByteMs: 1500, idleMs: 1500 }
  upstreams:
    - name: aoai-east
      kind: azure-openai
      baseUrl: ${mockUrl}
      apiKey: env:TALLY_TEST_AOAI_KEY
      region: eastus2
      deployments:
        - { name: gpt-4o-ptu, model: gpt-4o, type: provisioned }
        - { name: gpt-4o, model: gpt-4o, type: global-standard }
        - { name: gpt-4o-mini, model: gpt-4o-mini, type: global-standard }
        - { name: ptu-fail-429, model: gpt-4o, type: provisioned }
        - { name: ptu-fail-500, model: gpt-4o, type: provisioned }
        - { name: html, model: gpt-4o, type: global-standard }
        - { name: hang, model: gpt-4o, type: global-standard }
        - { name: slow, model: gpt-4o-mini, type: global-standard }
        - { name: reset, model: gpt-4o, type: global-standard }
        - { name: cut, model: gpt-4o, type: global-standard }
        - { name: cutusage, model: gpt-4o, type: global-standard }
        - { name: nousage, model: gpt-4o, type: global-standard }
        - { name: maxout, model: gpt-4o, type: global-standard }
        - { name: echo, model: gpt-4o, type: global-standard }
        - { name: longprompt, model: gpt-4o-mini, type: global-standard }
        - { name: text-embedding-3-small, model: text-embedding-3-small, type: global-standard }
    - name: aoai-entra
      kind: azure-openai
      baseUrl: ${mockUrl}
      entra: { tenantId: contoso, clientId: app-id, clientSecret: env:TALLY_TEST_ENTRA_SECRET, authorityHost: ${mockUrl} }
      deployments:
        - { name: entra-gpt-4o-mini, model: gpt-4o-mini, type: data-zone }
    - name: openai-direct
      kind: openai
      baseUrl: ${mockUrl}
      apiKey: sk-upstream-literal-secret
      deployments:
        - { name: gpt-4o-mini-2024-07-18, model: gpt-4o-mini, type: global-standard }
  routes:
    - { model: gpt-4o, targets: [aoai-east/gpt-4o-ptu, aoai-east/gpt-4o] }
    - { model: spill-429, targets: [aoai-east/ptu-fail-429, aoai-east/gpt-4o] }
    - { model: spill-500, targets: [aoai-east/ptu-fail-500, aoai-east/gpt-4o] }
    - { model: always-429, targets: [aoai-east/ptu-fail-429] }
    - { model: mini-direct, targets: [openai-direct/gpt-4o-mini-2024-07-18] }
    - { model: slow-mini, targets: [aoai-east/slow] }
    - { model: longprompt-mini, targets: [aoai-east/longprompt] }
${extra}`;
}

/** Creates the fixture (mock upstream + config + temp dir). */
export async function makeFixture(
  extra = '',
  mockOpts: Parameters<typeof startMockUpstream>[0] = {},
): Promise<GatewayFixture> {
  process.env['TALLY_TEST_AOAI_KEY'] = 'aoai-upstream-secret-canary';
  process.env['TALLY_TEST_ENTRA_SECRET'] = 'entra-secret';
  const dir = mkdtempSync(join(tmpdir(), 'tally-gw-'));
  const mock = await startMockUpstream(mockOpts);
  const configPath = join(dir, 'tally.yaml');
  writeFileSync(configPath, fixtureYaml(mock.url, extra));
  return {
    dir,
    configPath,
    dbPath: join(dir, 'tally.duckdb'),
    mock,
    async cleanup() {
      await mock.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
