import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../core/index.js';
import { EVIL, fakeDeps, testApp, USERS } from './_test-fakes.js';
import { lateStart } from './_explore-model.js';

const QUERY = '?from=2026-11-20&to=2026-11-23&granularity=day&by=x_AiModel&metric=billed';

/** The body rows of the page's main table as text, money cells by their exact value. */
function tableRows(html: string): string[][] {
  const section = html.slice(html.indexOf('id="table-h"'));
  const tbody = /<tbody>([\s\S]*?)<\/tbody>/.exec(section)?.[1] ?? '';
  return [...tbody.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((tr) =>
    [...tr[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((td) => {
      const money = /<data class="money" value="([^"]+)"/.exec(td[1]!);
      if (money) return money[1]!;
      return td[1]!
        .replace(/<[^>]+>/g, '')
        .replace(/\s+/g, ' ')
        .trim()
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&');
    }),
  );
}

test('the explorer asks the costs report for the window, dimension, granularity and filters', async () => {
  const deps = fakeDeps();
  const q = `${QUERY}&filter=ServiceName%3DAzure%20AI%20Services&filter=x_AiDeploymentType%3Dglobal&ai=1&compare=1`;
  await testApp(deps, USERS.admin).get(`/explore${q}`);
  const costs = deps.calls.filter((c) => c.name === 'costs').map((c) => c.params);
  const filter = 'ServiceName=Azure AI Services;x_AiDeploymentType=global';
  assert.deepEqual(costs, [
    { from: '2026-11-20', to: '2026-11-23', by: 'x_AiModel', granularity: 'day', filter, aiOnly: 'true' },
    { from: '2026-11-17', to: '2026-11-20', by: 'x_AiModel', granularity: 'day', filter, aiOnly: 'true' },
  ]);
});

test('date presets map to whole days on the store clock', async () => {
  const deps = fakeDeps();
  const app = testApp(deps, USERS.admin);
  for (const preset of ['this-month', 'last-month', 'last-30', 'last-90'])
    await app.get(`/explore?preset=${preset}`);
  const windows = deps.calls.map((c) => `${c.params['from']}..${c.params['to']}`);
  assert.deepEqual(windows, [
    '2026-12-01..2026-12-03',
    '2026-11-01..2026-12-01',
    '2026-11-03..2026-12-03',
    '2026-09-04..2026-12-03',
  ]);
});

test('groups are summed exactly and sorted by the chosen metric', async () => {
  const res = await testApp(fakeDeps(), USERS.admin).get(`/explore${QUERY}`);
  const rows = tableRows(res.text);
  assert.deepEqual(
    rows.map((r) => r.slice(0, 4)),
    [
      ['(none)', '10400', '0', '10400'],
      ['gpt-4o', '1234.6', '1000.200000001', '1500.3'],
      ['=HYPERLINK("http://x")', '5', '5', '5'],
      ['＝1+1', '1', '1', '1'],
      [EVIL, '-0.000000001', '7', '8'],
    ],
  );
});

test('the CSV download holds exactly the rows and values of the table', async () => {
  const app = testApp(fakeDeps(), USERS.admin);
  const page = await app.get(`/explore${QUERY}&compare=1`);
  const link = /href="(\/explore\.csv\?[^"]+)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
  assert.ok(link);
  const csv = await app.get(link);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
  assert.match(
    csv.headers.get('content-disposition') ?? '',
    /^attachment; filename="tally-costs-x_AiModel-2026-11-20-to-2026-11-22\.csv"$/,
  );
  const [header, ...rows] = parseCsv(csv.text);
  assert.deepEqual(header, [
    'Model',
    'Billed cost (USD)',
    'Effective cost (USD)',
    'List cost (USD)',
    'Cost rows',
    'Previous billed cost (USD)',
    'Change',
  ]);
  const table = tableRows(page.text).map((r) =>
    r.map((cell, i) =>
      i === 0 && /^[=+\-@＝＋－＠]/.test(cell) ? `'${cell}` : cell === '(none)' ? '' : cell,
    ),
  );
  assert.deepEqual(
    rows.map((r) => r.slice(0, 5)),
    table.map((r) => r.slice(0, 5).map((c) => c.replace(/,/g, ''))),
  );
});

test('CSV cells a spreadsheet would run as formulas are defused, full-width signs included', async () => {
  const csv = (await testApp(fakeDeps(), USERS.admin).get(`/explore.csv${QUERY}`)).text;
  assert.match(csv, /^"'=HYPERLINK\(""http:\/\/x""\)",5,5,5,1\r$/m);
  assert.match(csv, /^'＝1\+1,1,1,1,1\r$/m);
  assert.match(csv, /^<script>alert\(1\)<\/script>,-0\.000000001,7,8,2\r$/m, 'negative money stays a number');
});

test('a bad window or column is a 400 page, not a report call', async () => {
  const deps = fakeDeps();
  const app = testApp(deps, USERS.admin);
  assert.equal((await app.get('/explore?from=2026-12-01&to=2026-11-01')).status, 400);
  assert.equal((await app.get('/explore?by=1;DROP')).status, 400);
  assert.equal((await app.get('/explore?filter=nonsense')).status, 400);
  assert.equal(deps.calls.length, 0);
});

test('the chart stacks the top groups per day with a title, a description and a data table', async () => {
  const res = await testApp(fakeDeps(), USERS.admin).get(`/explore${QUERY}`);
  assert.match(
    res.text,
    /<title id="[^"]+">Billed cost per day, 2026-11-20 to 2026-11-22, by x_AiModel<\/title>/,
  );
  assert.match(res.text, /<desc id="[^"]+">Stacked bars/);
  assert.match(res.text, /Chart data \(3 rows/);
});

test('spend can be stacked by team, app or any tag, and the menu offers team and app', async () => {
  const deps = fakeDeps();
  const app = testApp(deps, USERS.admin);
  const page = await app.get('/explore?from=2026-11-20&to=2026-11-23&by=team&filter=Tags.cost-center%3DCC-1');
  assert.equal(page.status, 200);
  assert.match(page.text, /<option value="team"\s+selected>Team/);
  assert.match(page.text, /<option value="app"\s*>App/);
  const costs = deps.calls.filter((c) => c.name === 'costs').map((c) => c.params);
  assert.equal(costs[0]!['by'], 'team');
  assert.equal(costs[0]!['filter'], 'Tags.cost-center=CC-1');
  assert.equal((await app.get("/explore?by=Tags.a'b")).status, 400);
});

test('a comparison leaves out the partial today and sets the complete days against as many days before', async () => {
  const deps = fakeDeps();
  const res = await testApp(deps, USERS.admin).get('/explore?preset=this-month&by=x_AiModel&compare=1');
  const windows = deps.calls
    .filter((c) => c.name === 'costs')
    .map((c) => `${c.params['from']}..${c.params['to']}`);
  // Today is 2026-12-02: the window shown, the same complete days of November, and the complete days themselves.
  assert.deepEqual(windows, ['2026-12-01..2026-12-03', '2026-11-01..2026-11-02', '2026-12-01..2026-12-02']);
  assert.match(
    res.text,
    /Today \(2026-12-02\) is not complete yet: the change compares 2026-12-01 to\s+2026-12-01/,
  );
});

test('a window of only today has no change to show', async () => {
  const deps = fakeDeps();
  const res = await testApp(deps, USERS.admin).get(
    '/explore?from=2026-12-02&to=2026-12-03&by=x_AiModel&compare=1',
  );
  assert.match(res.text, /there is no complete day to compare/);
  const changes = [...res.text.matchAll(/<span class="(up|down|flat)">/g)];
  assert.equal(changes.length, 0);
});

test('a previous period whose data starts late is named, since its change overstates growth', async () => {
  // The fake store answers every bucketed read with rows from 2026-11-20 on; the previous window starts 2026-11-17.
  const res = await testApp(fakeDeps(), USERS.admin).get(`/explore${QUERY}&compare=1`);
  assert.match(res.text, /The previous period has cost rows from 2026-11-20 only/);
  const rows = [{ date: '2026-11-17', billedCost: 1 }];
  assert.equal(lateStart({ from: '2026-11-17', to: '2026-11-20' }, 'day', rows), null);
  assert.equal(lateStart({ from: '2026-11-17', to: '2026-11-20' }, 'week', [{ date: '2026-11-16' }]), null);
  assert.equal(
    lateStart({ from: '2026-11-01', to: '2026-12-01' }, 'week', [{ date: '2026-11-09' }]),
    '2026-11-09',
  );
});

test('a grouping column named to break the CSV file name or headers is refused, with no download', async () => {
  const app = testApp(fakeDeps(), USERS.admin);
  const csv = await app.get(
    `/explore.csv?by=${encodeURIComponent('Tags.a"b\r\nx-evil: 1;filename=../../x')}&from=2026-11-20&to=2026-11-23`,
  );
  assert.equal(csv.status, 400);
  assert.equal(csv.headers.get('content-disposition'), null);
  assert.equal(csv.headers.get('x-evil'), null);
});
