import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failure, startGovernance } from './_governance-harness.js';
import { runCli } from './cli.js';

const extra = `policy:
  requestTagKeys: [feature, prompt]
  restrictedDeployments: { types: [provisioned], environments: [prod], approvalTag: ptu-approved }
`;
const hi = [{ role: 'user' as const, content: 'hi' }];

test('a request tags itself with x-tally-tags, and cost per feature and prompt version is a usage report', async () => {
  const h = await startGovernance(extra, {
    app: { team: 'search', app: 'rag', environment: 'prod', tags: { owner: 'ana' } },
  });
  try {
    const c = h.client('app');
    const tagged = (tags: string) => ({ headers: { 'x-tally-tags': tags } });
    await c.chat.completions.create(
      { model: 'gpt-4o-mini', messages: hi },
      tagged('feature=summary,prompt=v3'),
    );
    await c.chat.completions.create(
      { model: 'gpt-4o-mini', messages: hi },
      tagged('feature=summary,prompt=v4'),
    );
    await c.chat.completions.create({ model: 'gpt-4o-mini', messages: hi }, tagged('feature=search'));
    await c.chat.completions.create({ model: 'gpt-4o-mini', messages: hi });

    // Keys outside policy.requestTagKeys, the approval tag, and malformed pairs are refused before the upstream.
    const calls = h.fx.mock.calls.length;
    for (const bad of ['team=other', 'ptu-approved=yes', 'feature', 'feature=a,=b']) {
      const f = await failure(c.chat.completions.create({ model: 'gpt-4o-mini', messages: hi }, tagged(bad)));
      assert.equal(f.status, 400, bad);
      assert.match(f.error.message ?? '', /x-tally-tags/);
    }
    assert.equal(h.fx.mock.calls.length, calls, 'a refused request never reaches the upstream');

    const rows = await h.stopAndQuery(
      `SELECT CAST(tags AS VARCHAR) AS tags, cost_nanos FROM usage_events WHERE http_status = 200 ORDER BY start_time`,
    );
    const tags = rows.map((r) => JSON.parse(String(r['tags'])) as Record<string, string>);
    assert.deepEqual(tags, [
      { feature: 'summary', prompt: 'v3', owner: 'ana' },
      { feature: 'summary', prompt: 'v4', owner: 'ana' },
      { feature: 'search', owner: 'ana' },
      { owner: 'ana' },
    ]);

    const r = await runCli(['usage', '--db', h.fx.dbPath, '--by', 'tag:feature,tag:prompt', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = r.json<Record<string, string | number | null>[]>();
    const cost = (feature: string | null, prompt: string | null) =>
      report.filter((x) => x['tag:feature'] === feature && x['tag:prompt'] === prompt);
    assert.equal(report.length, 4);
    for (const [f, p] of [
      ['summary', 'v3'],
      ['summary', 'v4'],
      ['search', null],
      [null, null],
    ] as const) {
      const row = cost(f, p);
      assert.equal(row.length, 1, `${f}/${p}`);
      assert.equal(row[0]!['requests'], 1);
      assert.ok(Number(row[0]!['costUsd']) > 0);
    }
  } finally {
    await h.close();
  }
});

test('request tags are refused when the config allows none', async () => {
  const h = await startGovernance('', { app: { team: 'search', app: 'rag', environment: 'prod' } });
  try {
    const f = await failure(
      h
        .client('app')
        .chat.completions.create(
          { model: 'gpt-4o-mini', messages: hi },
          { headers: { 'x-tally-tags': 'feature=summary' } },
        ),
    );
    assert.equal(f.status, 400);
    assert.match(f.error.message ?? '', /policy\.requestTagKeys/);
  } finally {
    await h.close();
  }
});

test('unit economics by feature gives each feature the cost per request that usage by tag gives', async () => {
  const h = await startGovernance(extra, {
    app: { team: 'search', app: 'rag', environment: 'prod' },
  });
  try {
    const c = h.client('app');
    const tagged = (tags: string) => ({ headers: { 'x-tally-tags': tags } });
    for (const [tags, content] of [
      ['feature=summary', 'summarise this please'],
      ['feature=summary', 'hi'],
      ['feature=search', 'find a longer answer about many things'],
      ['', 'untagged'],
    ] as const)
      await c.chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] },
        tags ? tagged(tags) : {},
      );
    await h.stopAndQuery('SELECT 1');
    const now = new Date();
    const period = now.toISOString().slice(0, 7);
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
    const u = await runCli([
      'usage',
      '--db',
      h.fx.dbPath,
      '--by',
      'tag:feature',
      '--json',
      '--from',
      `${period}-01`,
      '--to',
      next,
    ]);
    assert.equal(u.code, 0, u.stderr);
    const usage = u.json<Record<string, string | number | null>[]>();
    const ue = await runCli([
      'unit-economics',
      '--db',
      h.fx.dbPath,
      '--by',
      'feature',
      '--period',
      period,
      '--json',
    ]);
    assert.equal(ue.code, 0, ue.stderr);
    const doc = ue.json<{
      by: string;
      basis: string;
      currency: string;
      rows: Record<string, unknown>[];
      total: Record<string, unknown>;
    }>();
    assert.equal(doc.basis, 'ledger');
    assert.equal(doc.currency, 'USD');
    assert.deepEqual(doc.rows.map((r) => r['feature']).sort(), ['(untagged)', 'search', 'summary']);
    for (const row of doc.rows) {
      const value = row['feature'] === '(untagged)' ? null : row['feature'];
      const match = usage.find((x) => x['tag:feature'] === value)!;
      assert.equal(row['requests'], match['requests'], String(value));
      assert.equal(
        row['costPerRequestUsd'],
        Number(match['costUsd']) / Number(match['requests']),
        String(value),
      );
      assert.equal(row['aiCostShareOfRevenue'], null, 'no KPI belongs to a tag value');
    }
    assert.equal(doc.rows.find((r) => r['feature'] === 'summary')!['requests'], 2);
    assert.equal(doc.total['requests'], 4);
  } finally {
    await h.close();
  }
});
