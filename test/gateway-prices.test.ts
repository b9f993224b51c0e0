/** The gateway meters at effective prices: a configured EA price sheet overrides list prices. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AzureOpenAI } from 'openai';
import { loadConfig } from '../src/core/index.js';
import { createKey, startGateway } from '../src/gateway/index.js';
import { openStore, duckdbSql } from '../src/store/index.js';
import { makeFixture } from './gateway-fixture.js';

const HEADER =
  'EnrollmentNumber,MeterID,MeterName,MeterType,MeterCategory,MeterSubCategory,ServiceFamily,Product,SkuID,ProductID,MeterRegion,UnitOfMeasure,PartNumber,EffectiveStartDate,EffectiveEndDate,UnitPrice,BasePrice,MarketPrice,CurrencyCode,IncludedQuantity,OfferID,Term,PriceType';
const row = (meter: string, price: string) =>
  `1,m,"${meter}",t,Foundry Models,Azure OpenAI,AI + Machine Learning,"Azure OpenAI, gpt-4o-mini",s,p,US East 2,1K,pn,2024-01-01T00:00:00Z,,${price},${price},${price},USD,0,o,,Consumption`;

test('a gateway with pricing.priceSheet meters requests at the sheet prices, below list', async () => {
  const probe = await makeFixture();
  const sheet = join(probe.dir, 'sheet.csv');
  writeFileSync(
    sheet,
    [
      HEADER,
      row('gpt 4o mini 0718 Inp glbl Tokens', '0.00012'),
      row('gpt 4o mini 0718 Outp glbl Tokens', '0.00048'),
    ].join('\r\n'),
  );
  const f = await makeFixture(`pricing:\n  priceSheet: ${sheet}\n  discounts: []\n`);
  try {
    const s = await openStore({ path: f.dbPath });
    const { key } = await createKey(s, { team: 'ml', app: 'bot', environment: 'prod' });
    await s.close();
    const gw = await startGateway({
      config: loadConfig({ path: f.configPath }).config,
      dbPath: f.dbPath,
      port: 0,
    });
    const client = new AzureOpenAI({
      apiKey: key,
      endpoint: gw.url,
      apiVersion: '2024-10-21',
      deployment: 'gpt-4o-mini',
    });
    const r = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.ok(r.choices[0]?.message.content);
    await gw.stop();
    const store = await openStore({ path: f.dbPath });
    const [ev] = await duckdbSql(store).query(
      'SELECT cost_nanos::VARCHAR AS cost, list_cost_nanos::VARCHAR AS list, price_version FROM usage_events',
    );
    await store.close();
    assert.ok(ev);
    assert.ok(BigInt(String(ev['cost'])) > 0n);
    assert.ok(
      BigInt(String(ev['cost'])) < BigInt(String(ev['list'])),
      `effective ${ev['cost']} < list ${ev['list']}`,
    );
    assert.match(String(ev['price_version']), /sheet/i);
  } finally {
    await f.cleanup();
    await probe.cleanup();
  }
});
