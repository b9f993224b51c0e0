/** Commands on a PostgreSQL store through `--db postgres://…` and `store.url`, with the password never shown. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { startPostgres, skipWithoutPostgres, type PgCluster } from './postgres-cluster.js';

const SECRET = 'pw-never-shown';

describe('commands on a PostgreSQL store', { skip: skipWithoutPostgres }, () => {
  let cluster: PgCluster;
  let dir: string;
  before(async () => {
    cluster = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'tally-pgcli-'));
  });
  after(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('--db postgres://… writes and reads that server, and no output shows the password', async () => {
    // The test cluster trusts local connections, so any password is accepted; it must still never be printed.
    const url = (await cluster.database()).replace('postgres@', `postgres:${SECRET}@`);
    const made = await runCli(
      ['users', 'create', '--name', 'Ana', '--role', 'admin', '--db', url, '--json'],
      {
        cwd: dir,
      },
    );
    assert.equal(made.code, 0, made.stderr);
    const listed = await runCli(['users', 'list', '--db', url, '--json'], { cwd: dir });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      listed.json<{ users: { name: string }[] }>().users.map((u) => u.name),
      ['Ana'],
    );
    const sql = await runCli(['sql', 'SELECT count(*) AS n FROM users', '--db', url, '--json'], { cwd: dir });
    assert.deepEqual(sql.json(), [{ n: 1 }]);
    for (const r of [made, listed, sql]) assert.doesNotMatch(r.stdout + r.stderr, new RegExp(SECRET));
  });

  test('store.url in tally.yaml selects the server, and an unreachable one fails with the password masked', async () => {
    const url = await cluster.database();
    const config = join(dir, 'tally.yaml');
    writeFileSync(config, `store:\n  url: ${url}\n`);
    const made = await runCli(
      ['users', 'create', '--name', 'Bo', '--role', 'viewer', '--team', 't', '--config', config],
      {
        cwd: dir,
      },
    );
    assert.equal(made.code, 0, made.stderr);
    const viaDb = await runCli(['users', 'list', '--db', url, '--json'], { cwd: dir });
    assert.deepEqual(
      viaDb.json<{ users: { name: string }[] }>().users.map((u) => u.name),
      ['Bo'],
    );
    const down = await runCli(
      ['users', 'list', '--db', `postgres://tally:${SECRET}@127.0.0.1:1/nowhere`, '--json'],
      {
        cwd: dir,
      },
    );
    assert.notEqual(down.code, 0);
    assert.match(
      down.stdout,
      /cannot reach the PostgreSQL store postgres:\/\/tally:\*\*\*@127\.0\.0\.1:1\/nowhere/,
    );
    assert.doesNotMatch(down.stdout + down.stderr, new RegExp(SECRET));
  });
});
