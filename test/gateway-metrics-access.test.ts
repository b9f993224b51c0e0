import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { loadConfig } from '../src/core/index.js';
import { startGateway } from '../src/gateway/index.js';
import { makeFixture } from './gateway-fixture.js';

// An address of this machine that is not loopback, to call the gateway as another host would.
const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

test(
  'a caller from another host reads /metrics only with the metrics token; this host needs none',
  { skip: external ? false : 'no non-loopback IPv4 address on this machine' },
  async () => {
    const f = await makeFixture('  metrics: { token: scrape-secret }\n');
    const gw = await startGateway({
      config: loadConfig({ path: f.configPath }).config,
      dbPath: f.dbPath,
      port: 0,
      host: '0.0.0.0',
    });
    try {
      const remote = `http://${external}:${gw.port}/metrics`;
      const denied = await fetch(remote);
      assert.equal(denied.status, 401);
      const body = (await denied.json()) as { error: { message: string } };
      assert.match(body.error.message, /metrics are private/);
      assert.equal((await fetch(remote, { headers: { authorization: 'Bearer wrong' } })).status, 401);
      const allowed = await fetch(remote, { headers: { authorization: 'Bearer scrape-secret' } });
      assert.equal(allowed.status, 200);
      assert.match(await allowed.text(), /tally_requests_in_flight/);
      assert.equal((await fetch(`http://127.0.0.1:${gw.port}/metrics`)).status, 200);
    } finally {
      await gw.stop();
      await f.cleanup();
    }
  },
);
