import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeDeps, sampleDocs, testApp, USERS } from './_test-fakes.js';

/** Page text with tags removed and whitespace collapsed, as a reader sees it. */
function visible(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
    .replace(/<\/?(span|data|strong|code|a)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

test('the overview shows this month so far, last month, the forecast band, budgets, movers, anomalies and freshness', async () => {
  const deps = fakeDeps();
  const res = await testApp(deps, USERS.admin).get('/');
  assert.equal(res.status, 200);
  const text = visible(res.text);
  assert.match(text, /Spend this month so far \$645\.668918942/, 'two services summed exactly');
  // Today is still accruing: the change compares complete days only (December 1 against November 1).
  assert.match(text, /-10\.0% vs November 2026 over day 1 \(\$90\.00 vs \$100\.00\) · billed/);
  assert.match(text, /Spend by month end \(forecast\) \$103\.77/, '33.46 so far + 70.31 median');
  assert.match(text, /p10–p90 \$99\.98 – \$110\.87/);
  assert.match(text, /team=search/);
  assert.match(text, /search \$13,295\.53470316 \$134\.469919578 \+1\.0%/);
  assert.match(text, /Open incidents, last 30 days 1 1 not yet acknowledged/);
  assert.match(text, /ledger 2026-12-02 09:00 UTC 2026-12-02 09:00 UTC 1,234,567 fresh/);
  const asked = deps.calls.map((c) => `${c.name} ${new URLSearchParams(c.params).toString()}`);
  for (const call of [
    'costs from=2026-12-01&to=2026-12-03&by=BillingCurrency',
    'costs from=2026-12-01&to=2026-12-02&by=BillingCurrency',
    'costs from=2026-11-01&to=2026-11-02&by=BillingCurrency',
    'costs from=2026-11-01&to=2026-12-01&by=BillingCurrency',
    'usage from=2026-11-02&to=2026-12-02&by=day',
    'forecast scope=all&horizon=30',
    'budgets ',
    'chargeback period=2026-11&by=team',
    'anomalies from=2026-11-02&to=2026-12-03',
    'freshness ',
  ])
    assert.ok(asked.includes(call), `${call} in ${asked.join(' | ')}`);
});

test('one failing report leaves the rest of the overview standing', async () => {
  const deps = fakeDeps({ ...{}, chargeback: undefined });
  const res = await testApp(deps, USERS.admin).get('/');
  assert.equal(res.status, 200);
  assert.match(visible(res.text), /Top movers no chargeback in this test/);
});

test('teams shows direct, shared and total per team with the exact document values', async () => {
  const res = await testApp(fakeDeps(), USERS.admin).get('/teams?period=2026-11');
  const text = visible(res.text);
  assert.match(
    text,
    /search \$739\.318784987 \$12,556\.215918173 \$13,295\.53470316 68\.5% \$13,161\.064783582 \+1\.0%/,
  );
  assert.match(text, /Total \$19,418\.209414082 \$19,542\.359851397/);
  assert.match(res.text, /<svg\s+class="chart"[^>]*role="img"/);
});

test('a team page adds the team’s usage by app and model', async () => {
  const res = await testApp(fakeDeps(), USERS.lead).get('/teams/search?period=2026-11');
  assert.equal(res.status, 200);
  const text = visible(res.text);
  assert.match(
    text,
    /total \$13,295\.53470316 = direct \$739\.318784987 \+ allocated shared \$12,556\.215918173/,
  );
  assert.match(text, /rag-search gpt-4\.1 40,572 181,853,017 16,140,236 \$35\.99145088 \$40\.899376/);
});

test('budgets show spent of amount, the forecast band and the status', async () => {
  const text = visible((await testApp(fakeDeps(), USERS.viewer).get('/budgets')).text);
  assert.match(text, /team=search December 2026/);
  assert.match(text, /\$33\.463767958 of \$880\.00 \(3\.8%\)/);
  assert.match(text, /\$890\.82 \$846\.68 – \$963\.67 forecast over/);
});

test('anomalies list open incidents, one row each, with their root cause, impact and state', async () => {
  const text = visible((await testApp(fakeDeps(), USERS.lead).get('/anomalies')).text);
  assert.match(
    text,
    /team=search, app=rag-search medium spike \$74\.02 team=search; key="><img src=x onerror=alert\(1\)>/,
  );
  assert.doesNotMatch(text, /app=x/, 'resolved ones are hidden by default');
  const all = visible((await testApp(fakeDeps(), USERS.lead).get('/anomalies?state=all')).text);
  assert.match(all, /app=x .* resolved Lea, 2026-11-11 08:00 UTC/);
});

test('acknowledging an anomaly calls the action and returns to the list', async () => {
  const deps = fakeDeps();
  const res = await testApp(deps, USERS.lead).post('/anomalies/state', {
    id: 'inc_0432d6c5903d8a1b2c3d4e5f',
    state: 'acknowledged',
    back: '/anomalies?state=open',
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/anomalies?state=open&done=1');
  const call = deps.calls.find((c) => c.kind === 'action');
  assert.deepEqual(call?.params, { id: 'inc_0432d6c5903d8a1b2c3d4e5f', state: 'acknowledged' });
  assert.equal(call?.user, USERS.lead);
});

test('a form cannot send the browser to another site afterwards', async () => {
  // A tab inside a URL is dropped by browsers, so "/\t/evil.example" is "//evil.example" to them.
  for (const back of ['//evil.example/', '/\\evil.example/', '/\t/evil.example/']) {
    const res = await testApp(fakeDeps(), USERS.admin).post('/anomalies/state', {
      id: 'x',
      state: 'resolved',
      back,
    });
    assert.equal(res.headers.get('location'), '/anomalies', JSON.stringify(back));
  }
});

test('setting a budget passes scope, value, amount and period to the action', async () => {
  const deps = fakeDeps();
  const res = await testApp(deps, USERS.finance).post('/budgets', {
    scope: 'team',
    value: 'search',
    amount: '1500',
    period: 'month',
  });
  assert.equal(res.headers.get('location'), '/budgets?saved=set');
  assert.deepEqual(deps.calls.at(-1)?.params, {
    scope: 'team',
    value: 'search',
    amount: '1500',
    period: 'month',
  });
});

test('on the first of the month the overview shows spend so far with no comparison, as no day is complete yet', async () => {
  const deps = { ...fakeDeps(), now: () => new Date('2026-12-01T09:30:00Z') };
  const text = visible((await testApp(deps, USERS.admin).get('/')).text);
  assert.match(text, /Spend this month so far \$[\d,.]+ billed \$/);
  assert.doesNotMatch(text, /vs November 2026 over/);
});

test('forecast, reconcile, unit economics and keys render their documents', async () => {
  const app = testApp(fakeDeps(), USERS.admin);
  const fc = visible((await app.get('/forecast')).text);
  assert.match(fc, /Next 30 days: \$70\.31 \(p10 \$66\.52, p90 \$77\.41\)/);
  assert.match(fc, /2026-12-03 \$37\.33 \$39\.20 \$42\.85/);
  // How the model was chosen: the backtest that --explain prints, the winner marked.
  assert.match(fc, /forecast 30 days from 8 past dates .* Chosen: ets\./);
  assert.match(fc, /seasonal-naive 1\.204 9\.50 0\.79 ets \(chosen\) 0\.981 8\.25 0\.81/);
  const rc = visible((await app.get('/reconcile?period=2026-11')).text);
  assert.match(rc, /code-o4-mini 40,412 \$383\.56026156 \$513\.65946162 \$130\.09920006 \$0\.00/);
  assert.match(rc, /Variance \$18,645\.881600059/);
  const ue = visible((await app.get('/unit-economics?period=2026-11')).text);
  assert.match(
    ue,
    /rag-search \$12,592\.872303142 \+1\.3% 103,849 \$0\.12 1,500 \$8\.40 searches \$0\.24 each -11\.2%/,
  );
  const keys = visible((await app.get('/keys')).text);
  assert.match(keys, /tally-sk-ab vk-1 search \/ rag \/ prod none active 2026-11-01/);
  // A platform engineer sees each key's limits where the key is listed.
  assert.match(
    keys,
    /tally-sk-cd vk-2 marketing \/ writer \/ dev models gpt-4o-mini, gpt-4\.1-mini · 100,000 tokens\/min · 5,000,000 tokens\/day · \$1,250\.50\/week \(soft\) revoked 2026-11-02/,
  );
});

test('pages are HTML with a strict content security policy and are never cached', async () => {
  const res = await testApp(fakeDeps(), USERS.admin).get('/');
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.doesNotMatch(res.text, /<script>|\son[a-z]+=|style="/, 'no inline script, handler or style');
  assert.match(res.text, /<a class="skip" href="#main">/);
});

test('the stylesheet and script are served under hashed names with a year of caching', async () => {
  const app = testApp(fakeDeps(), null);
  const page = (await app.get('/login')).text;
  const css = /href="(\/assets\/style\.[0-9a-f]{10}\.css)"/.exec(page)?.[1];
  const js = /src="(\/assets\/enhance\.[0-9a-f]{10}\.js)"/.exec(page)?.[1];
  assert.ok(css && js);
  for (const path of [css, js]) {
    const res = await app.get(path);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  }
  assert.equal((await app.get('/assets/other.css')).status, 404);
});

test('asset paths never reach the file system: traversal to the package or /etc is a 404', async () => {
  const app = testApp(fakeDeps(), null);
  for (const path of [
    '/assets/..%2f..%2fpackage.json',
    '/assets/../../package.json',
    '/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/assets/style.css%00.js',
  ]) {
    const res = await app.get(path);
    assert.equal(res.status, 404, path);
    assert.doesNotMatch(res.text, /"devDependencies"|root:x:0/);
  }
});

test("the overview's month-end forecast adds the forecast to this month's spend on the forecast's own basis when the report carries it", async () => {
  const docs = sampleDocs();
  const fc = docs.forecast as Record<string, unknown>;
  // $850.00 spent before today on the cost basis (as budgets status counts it), not the gateway's metered $33.46.
  docs.forecast = { ...fc, monthToDateUsd: 850 };
  const res = await testApp(fakeDeps(docs), USERS.admin).get('/');
  const text = visible(res.text);
  assert.match(text, /Spend by month end \(forecast\) \$920\.31/, '850 so far + 70.31 median');
  assert.match(text, /p10–p90 \$916\.52 – \$927\.41; \$850\.00 spent so far/);
});

test('the revenue share names the apps whose revenue it is and shows a small share, not 0.0%', async () => {
  const docs = sampleDocs();
  docs['unit-economics'] = (p: Record<string, string>) => ({
    period: p['period'],
    by: 'app',
    currency: 'USD',
    rows: [{ app: 'shopping-assistant', costUsd: 22.19077476, requests: 10 }],
    total: {
      costUsd: 19391.62,
      requests: 10,
      revenueUsd: 102047.23,
      revenueScopes: ['shopping-assistant'],
      revenueCostUsd: 22.19077476,
      aiCostShareOfRevenue: 0.000217,
    },
  });
  const text = visible((await testApp(fakeDeps(docs), USERS.finance).get('/unit-economics')).text);
  assert.match(
    text,
    /AI cost share of revenue 0\.022% shopping-assistant: AI cost \$22\.19077476 of revenue \$102,047\.23/,
  );
});

test('unit economics by group lists each group with its apps, and a row without a ratio says why', async () => {
  const docs = sampleDocs();
  docs['unit-economics'] = (p: Record<string, string>) => ({
    period: p['period'],
    by: p['by'],
    rows: [
      {
        group: 'storefront',
        apps: ['checkout', 'search'],
        costUsd: 80.5,
        requests: 50,
        outcomes: [{ metric: 'revenue', value: 1000, costPerUnitUsd: 0.0805 }],
      },
      {
        group: '(ungrouped)',
        apps: ['wiki'],
        costUsd: 20,
        requests: 100,
        outcomes: [],
        noRatioReason: 'apps in no declared group (wiki): no group KPI pays for them; see --by app',
      },
    ],
  });
  const deps = fakeDeps(docs);
  const text = visible(
    (await testApp(deps, USERS.finance).get('/unit-economics?period=2026-11&by=group')).text,
  );
  assert.match(text, /storefront checkout, search \$80\.50/);
  assert.match(text, /\(ungrouped\) wiki \$20\.00 .* none: apps in no declared group \(wiki\)/);
  assert.deepEqual(
    deps.calls.filter((c) => c.name === 'unit-economics').map((c) => c.params),
    [{ period: '2026-11', by: 'group' }],
  );
});

test('a team page charts what the exports bill the team per day, beside its metered usage', async () => {
  const deps = fakeDeps();
  const res = await testApp(deps, USERS.lead).get('/teams/search?period=2026-11');
  const costs = deps.calls.filter((c) => c.name === 'costs').map((c) => c.params);
  assert.deepEqual(costs, [
    { from: '2026-11-01', to: '2026-12-01', by: 'ServiceName', granularity: 'day', filter: 'team=search' },
  ]);
  assert.match(res.text, /<h2 id="tm-billed">Billed cost per day by service<\/h2>/);
  assert.match(res.text, /href="\/explore\?[^"]*filter=team%3Dsearch/);
});
