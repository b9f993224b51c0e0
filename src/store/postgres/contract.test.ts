import { after, before, describe } from 'node:test';
import { startPostgres, skipWithoutPostgres, type PgCluster } from '../../../test/postgres-cluster.js';
import { runStoreContract } from '../_contract.js';
import { openPostgresStore } from './index.js';

describe('postgres store contract', { skip: skipWithoutPostgres }, () => {
  let cluster: PgCluster;
  before(async () => {
    cluster = await startPostgres();
  });
  after(() => cluster?.stop());
  runStoreContract('postgres', async () => openPostgresStore({ url: await cluster.database() }));
});
