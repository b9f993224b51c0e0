/** The store across a thread boundary behaves like the store itself: operations, errors and transactions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { TallyError } from '../core/index.js';
import { openStore, duckdbSql } from '../store/index.js';
import { serveStoreOverPort, storeOverPort } from './_store-rpc.js';

async function pair() {
  const owner = await openStore({ path: ':memory:' });
  const channel = new MessageChannel();
  const stop = serveStoreOverPort(owner, channel.port1);
  const remote = storeOverPort(channel.port2, { backend: owner.backend, location: owner.location });
  return {
    owner,
    remote,
    async close() {
      stop();
      channel.port1.close();
      channel.port2.close();
      await owner.close();
    },
  };
}

test('named operations run on the owner and their values come back intact (dates, maps)', async () => {
  const { owner, remote, close } = await pair();
  try {
    await remote.setMeta('ns', 'k', { a: 1 });
    assert.deepEqual(await owner.getMeta('ns', 'k'), { a: 1 });
    const at = new Date('2026-11-10T12:00:00Z');
    await remote.setIncidentState({
      id: 'i1',
      state: 'acknowledged',
      changedBy: 'user:u1',
      changedAt: at,
      note: null,
    });
    const states = await remote.getIncidentStates(['i1', 'i2']);
    assert.ok(states instanceof Map);
    assert.equal(states.get('i1')?.changedAt.getTime(), at.getTime());
    assert.equal(states.has('i2'), false);
    assert.equal(remote.backend, 'duckdb');
  } finally {
    await close();
  }
});

test('errors cross as TallyErrors with their code', async () => {
  const { remote, close } = await pair();
  try {
    await assert.rejects(
      remote.readOnlySql('DELETE FROM kv'),
      (e: unknown) => e instanceof TallyError && e.code === 'forbidden',
    );
    await assert.rejects(
      duckdbSql(remote).query('SELECT * FROM no_such_table'),
      (e: unknown) => e instanceof TallyError,
    );
  } finally {
    await close();
  }
});

test('a transaction commits as one and rolls back as one when its function throws', async () => {
  const { owner, remote, close } = await pair();
  try {
    await remote.transaction(async (tx) => {
      await tx.setMeta('t', 'a', 1);
      await tx.setMeta('t', 'b', 2);
    });
    assert.equal(await owner.getMeta('t', 'b'), 2);
    await assert.rejects(
      remote.transaction(async (tx) => {
        await tx.setMeta('t', 'c', 3);
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await owner.getMeta('t', 'c'), null);
  } finally {
    await close();
  }
});

test('the worker cannot close or migrate the owner store', async () => {
  const { owner, remote, close } = await pair();
  try {
    await remote.close();
    assert.equal(await owner.getMeta('x', 'y'), null, 'the owner store is still open');
    await assert.rejects(
      (remote as unknown as { migrate(): Promise<void> }).migrate(),
      (e: unknown) => e instanceof TallyError && e.code === 'invalid_input',
    );
  } finally {
    await close();
  }
});
