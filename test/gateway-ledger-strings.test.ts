/**
 * Class 1 at the seam where it broke: the WAL's JSON encoding and DuckDB's bulk load must agree on every
 * string a gateway event can carry, and a flush that cannot load a complete line must fail, not skip it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEvent, encodeEvent, makeUsageEvent, type UsageEvent } from '../src/ledger/index.js';
import { openStore, type CostStore, duckdbSql } from '../src/store/index.js';

const NASTY = [
  '\ud800',
  'tail\udfff',
  'swapped\udc00\ud800pair',
  'nul\u0000byte',
  'controls\t\r\n\u0001\u001f\u007f',
  'quote"and\\backslash',
  'separators\u2028\u2029',
  'nonchars\ufffe\uffff',
  'astral😀𝄞',
  'e\u0301 vs é',
  '',
  'x'.repeat(70_000),
];
const STRING_FIELDS = [
  'keyId',
  'team',
  'app',
  'environment',
  'costCenter',
  'endUser',
  'upstream',
  'deployment',
  'requestModel',
  'model',
  'region',
  'errorClass',
  'priceVersion',
] as const;

let dir: string;
let store: CostStore;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tally-walstr-'));
  store = await openStore({ path: join(dir, 't.duckdb') });
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('class 1: the WAL encoding and the DuckDB bulk load agree on every string of every field', async () => {
  const events: UsageEvent[] = [];
  let i = 0;
  for (const field of STRING_FIELDS)
    for (const s of NASTY)
      events.push(
        makeUsageEvent({
          id: `e${i++}`,
          startTime: Date.UTC(2026, 11, 1) + i,
          model: 'gpt-4o',
          [field]: s,
          tags: { [s.slice(0, 20)]: s.slice(0, 20) },
        }),
      );
  const lines = events.map(encodeEvent);
  const path = join(dir, 'wal-00000001.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  assert.equal(await store.appendUsageFromWal!([path]), events.length, 'every complete line is loaded');
  const rows = await duckdbSql(store).query(
    `SELECT id, key_id, team, app, environment, cost_center, end_user, upstream, deployment, request_model,
       model, region, error_class, price_version, tags FROM usage_events ORDER BY id`,
  );
  const byId = new Map(rows.map((r) => [String(r['id']), r]));
  const cols = [
    'key_id',
    'team',
    'app',
    'environment',
    'cost_center',
    'end_user',
    'upstream',
    'deployment',
    'request_model',
    'model',
    'region',
    'error_class',
    'price_version',
  ];
  for (const line of lines) {
    // What a replay of the WAL reads back is what the store holds, field for field.
    const e = decodeEvent(line)!;
    const r = byId.get(e.id)!;
    STRING_FIELDS.forEach((f, k) => assert.equal(r[cols[k]!], e[f], `${e.id}.${f}`));
    assert.deepEqual(JSON.parse(String(r['tags'])), e.tags);
  }
});

test('class 1: a flush fails loudly when a complete WAL line cannot be loaded, instead of skipping it', async () => {
  const good = encodeEvent(makeUsageEvent({ id: 'ok1', startTime: Date.UTC(2026, 11, 2), model: 'm' }));
  const path = join(dir, 'wal-00000002.jsonl');
  // A complete line DuckDB cannot decode (an invalid escape), then a torn tail as a crash leaves it.
  writeFileSync(path, `${good}\n{"id":"bad","startTime":1,"team":"\\ud800"}\n{"id":"torn","start`);
  await assert.rejects(store.appendUsageFromWal!([path]), /could not be loaded/);
  // A torn last line alone is what a crash leaves: that is loaded without complaint.
  const torn = join(dir, 'wal-00000003.jsonl');
  writeFileSync(torn, `${good.replace('ok1', 'ok2')}\n{"id":"torn","start`);
  assert.equal(await store.appendUsageFromWal!([torn]), 1);
});
