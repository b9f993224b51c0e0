import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeriodMemo, changedMonths } from './_memo.js';

const at = (iso: string) => () => Date.parse(iso);

test('a closed month is loaded once and shared until the memo is cleared', async () => {
  const memo = new PeriodMemo(at('2026-12-02T12:00:00Z'));
  let loads = 0;
  const load = async () => ++loads;
  assert.equal(await memo.get('2026-11', 'k', load), 1);
  assert.equal(await memo.get('2026-11', 'k', load), 1);
  assert.equal(await memo.get('2026-11', 'other', load), 2, 'another key is another value');
  memo.clear();
  assert.equal(await memo.get('2026-11', 'k', load), 3, 'a write forgets it');
});

test('the month in progress, and the hour after a month ends, are never kept', async () => {
  let loads = 0;
  const load = async () => ++loads;
  const open = new PeriodMemo(at('2026-12-02T12:00:00Z'));
  await open.get('2026-12', 'k', load);
  await open.get('2026-12', 'k', load);
  assert.equal(loads, 2);
  const late = new PeriodMemo(at('2026-12-01T00:30:00Z'));
  await late.get('2026-11', 'k', load);
  await late.get('2026-11', 'k', load);
  assert.equal(loads, 4, 'late ledger flushes may still land in November');
  assert.equal(late.size, 0);
});

test('a failed load is not kept, and the oldest entries go first past the maximum', async () => {
  const memo = new PeriodMemo(at('2026-12-02T12:00:00Z'), 2);
  await assert.rejects(memo.get('2026-10', 'k', () => Promise.reject(new Error('boom'))));
  await new Promise((r) => setImmediate(r));
  assert.equal(await memo.get('2026-10', 'k', async () => 'ok'), 'ok');
  await memo.get('2026-09', 'k', async () => 'sep');
  await memo.get('2026-08', 'k', async () => 'aug');
  assert.equal(memo.size, 2);
  assert.equal(await memo.get('2026-10', 'k', async () => 'again'), 'again', 'October was the oldest');
});

test('a write forgets only the months whose stamps moved, and none is shared while it runs', async () => {
  const memo = new PeriodMemo(at('2026-12-02T12:00:00Z'));
  let loads = 0;
  const load = async () => ++loads;
  await memo.get('2026-10', 'k', load);
  await memo.get('2026-11', 'k', load);
  let stamps = new Map([
    ['2026-10', '3/a'],
    ['2026-11', '5/a'],
  ]);
  const during = await memo.write(
    async () => {
      stamps = new Map([
        ['2026-10', '3/a'],
        ['2026-11', '6/b'],
      ]);
      // A report computed while the write runs reads the store as it is, and is not kept.
      return memo.get('2026-10', 'k', load);
    },
    async () => stamps,
  );
  assert.equal(during, 3, 'computed afresh during the write');
  assert.equal(await memo.get('2026-10', 'k', load), 1, 'October did not move: kept');
  assert.equal(await memo.get('2026-11', 'k', load), 4, 'November moved: forgotten');
  assert.equal(await memo.get('2026-11', 'k', load), 4);
});

test('a write without stamps, or whose stamps cannot be read, forgets every month', async () => {
  const memo = new PeriodMemo(at('2026-12-02T12:00:00Z'));
  let loads = 0;
  const load = async () => ++loads;
  await memo.get('2026-10', 'k', load);
  await memo.write(async () => undefined);
  assert.equal(await memo.get('2026-10', 'k', load), 2);
  await assert.rejects(
    memo.write(
      async () => {
        throw new Error('write failed');
      },
      () => Promise.reject(new Error('no stamps')),
    ),
  );
  assert.equal(await memo.get('2026-10', 'k', load), 3, 'a failed write may have changed anything');
});

test('months a write added or removed count as moved', () => {
  const before = new Map([
    ['2026-09', '1/a'],
    ['2026-10', '2/a'],
  ]);
  const after = new Map([
    ['2026-10', '2/a'],
    ['2026-11', '1/b'],
  ]);
  assert.deepEqual(changedMonths(before, after), ['2026-09', '2026-11']);
});

test('a value that reads earlier months is forgotten when any of them moves', async () => {
  const memo = new PeriodMemo(at('2026-12-02T12:00:00Z'));
  let loads = 0;
  const load = async () => ++loads;
  await memo.get('2026-11', 'since', load, true);
  await memo.get('2026-11', 'month', load);
  memo.forget(['2026-09']);
  assert.equal(await memo.get('2026-11', 'month', load), 2, 'a value of November alone is kept');
  assert.equal(await memo.get('2026-11', 'since', load, true), 3, 'a value reading September is not');
  memo.forget(['2026-12']);
  assert.equal(await memo.get('2026-11', 'since', load, true), 3, 'a later month does not matter');
});
