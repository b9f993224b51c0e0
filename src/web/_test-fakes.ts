/** Test helpers (not shipped): a fake WebDeps with small known documents, and a request helper. */
import { Hono } from 'hono';
import { TallyError } from '../core/index.js';
import { createWebApp } from './_app.js';
import type { ActionName, ReportName, WebDeps, WebUser, WebVariables } from './_types.js';

export const EVIL = '<script>alert(1)</script>';
export const EVIL_ATTR = '"><img src=x onerror=alert(1)>';

export const USERS = {
  admin: { id: 'a', name: 'Ada', role: 'admin', teams: [] },
  finance: { id: 'f', name: 'Fin', role: 'finance', teams: [] },
  lead: { id: 'l', name: 'Lea', role: 'team-lead', teams: ['search'] },
  viewer: { id: 'v', name: 'Vic', role: 'viewer', teams: ['search'] },
} satisfies Record<string, WebUser>;

type Docs = Partial<Record<ReportName, unknown | ((p: Record<string, string>) => unknown)>>;

/** Documents shaped exactly like the CLI's `--json` output, with awkward values on purpose. */
export function sampleDocs(): Docs {
  return {
    costs: (p: Record<string, string>) =>
      p['from'] === '2026-11-01' && p['to'] === '2026-11-02'
        ? [{ ServiceName: 'Azure AI Services', billedCost: 100, effectiveCost: 100, listCost: 120, rows: 4 }]
        : p['from'] === '2026-12-01' && p['to'] === '2026-12-02'
          ? [{ ServiceName: 'Azure AI Services', billedCost: 90, effectiveCost: 90, listCost: 110, rows: 3 }]
          : p['granularity']
            ? [
                {
                  x_AiModel: 'gpt-4o',
                  date: '2026-11-20',
                  billedCost: 1234.5,
                  effectiveCost: 1000.000000001,
                  listCost: 1500,
                  rows: 3,
                },
                {
                  x_AiModel: 'gpt-4o',
                  date: '2026-11-21',
                  billedCost: 0.1,
                  effectiveCost: 0.2,
                  listCost: 0.3,
                  rows: 1,
                },
                {
                  x_AiModel: EVIL,
                  date: '2026-11-21',
                  billedCost: -1e-9,
                  effectiveCost: 7,
                  listCost: 8,
                  rows: 2,
                },
                {
                  x_AiModel: '=HYPERLINK("http://x")',
                  date: '2026-11-22',
                  billedCost: 5,
                  effectiveCost: 5,
                  listCost: 5,
                  rows: 1,
                },
                {
                  x_AiModel: '＝1+1',
                  date: '2026-11-22',
                  billedCost: 1,
                  effectiveCost: 1,
                  listCost: 1,
                  rows: 1,
                },
                {
                  x_AiModel: null,
                  date: '2026-11-22',
                  billedCost: 10400,
                  effectiveCost: 0,
                  listCost: 10400,
                  rows: 1,
                },
              ]
            : [
                {
                  ServiceName: 'Azure AI Services',
                  billedCost: 645.668918941,
                  effectiveCost: 645.668918941,
                  listCost: 700,
                  rows: 9,
                },
                {
                  ServiceName: 'Azure AI Search',
                  billedCost: 0.000000001,
                  effectiveCost: 0.000000001,
                  listCost: 0,
                  rows: 1,
                },
              ],
    usage: (p: Record<string, string>) =>
      p['by'] === 'day'
        ? [
            { day: '2026-11-30', requests: 10, costUsd: 30.868567229, listCostUsd: 35 },
            { day: '2026-12-01', requests: 12, costUsd: 33.463767958, listCostUsd: 38 },
          ]
        : [
            {
              team: 'search',
              app: 'rag-search',
              model: 'gpt-4.1',
              day: '2026-11-03',
              requests: 40572,
              inputTokens: 181853017,
              outputTokens: 16140236,
              costUsd: 35.99145088,
              listCostUsd: 40.899376,
            },
          ],
    chargeback: {
      period: '2026-11',
      by: 'team',
      totalCostUsd: 19418.209414082,
      previousTotalCostUsd: 19542.359851397,
      rows: [
        {
          team: 'search',
          directCostUsd: 739.318784987,
          sharedCostUsd: 12556.215918173,
          totalCostUsd: 13295.53470316,
          shareOfTotal: 0.684694,
          previousTotalCostUsd: 13161.064783582,
          changeUsd: 134.469919578,
          changePct: 1.02,
        },
        {
          team: EVIL,
          directCostUsd: 1,
          sharedCostUsd: 0,
          totalCostUsd: 1,
          shareOfTotal: 0.01,
          previousTotalCostUsd: 2,
          changeUsd: -1,
          changePct: -50,
        },
      ],
      unallocatedCostUsd: 0,
    },
    budgets: [
      {
        id: 'team:search:month',
        scope: 'team=search',
        periodStart: '2026-12-01T00:00:00.000Z',
        periodEnd: '2027-01-01T00:00:00.000Z',
        amountUsd: 880,
        spentUsd: 33.463767958,
        spentPct: 3.8,
        forecastUsd: 890.82,
        forecastP10Usd: 846.68,
        forecastP90Usd: 963.67,
        crossed: [{ type: 'forecast', percent: 100 }],
        hard: false,
        exceeded: false,
      },
    ],
    forecast: {
      series: [
        {
          id: 'all',
          season: 7,
          model: 'ets',
          points: [
            { timestamp: '2026-12-02', p10: 29.19, p50: 31.11, p90: 34.56 },
            { timestamp: '2026-12-03', p10: 37.33, p50: 39.2, p90: 42.85 },
          ],
          total: { p10: 66.52, p50: 70.31, p90: 77.41 },
          backtest: {
            origins: 8,
            horizon: 30,
            winner: 'ets',
            members: ['ets'],
            weights: [1],
            candidates: [
              { model: 'seasonal-naive', mase: 1.204, smape: 9.5, coverage80: 0.79 },
              { model: 'ets', mase: 0.981, smape: 8.25, coverage80: 0.81 },
            ],
          },
        },
      ],
    },
    anomalies: {
      from: '2026-11-02T00:00:00.000Z',
      to: '2026-12-03T00:00:00.000Z',
      incidents: [
        {
          id: 'inc_0432d6c5903d8a1b2c3d4e5f',
          start: '2026-11-19T00:00:00.000Z',
          end: '2026-11-21T00:00:00.000Z',
          kind: 'spike',
          severity: 'medium',
          scopes: ['team=search', `key=${EVIL_ATTR}`],
          rootCause: 'team=search, app=rag-search',
          impactUsd: '74.02',
          state: 'new',
          stateBy: null,
          stateAt: null,
        },
        {
          id: 'inc_22547233255b6a7b8c9d0e1f',
          start: '2026-11-10T00:00:00.000Z',
          end: '2026-11-11T00:00:00.000Z',
          kind: 'drop',
          severity: 'low',
          scopes: ['app=x'],
          rootCause: 'app=x',
          impactUsd: '-5.00',
          state: 'resolved',
          stateBy: 'Lea',
          stateAt: '2026-11-11T08:00:00.000Z',
        },
      ],
    },
    reconcile: {
      period: '2026-11',
      by: 'deployment',
      rows: [
        {
          deployment: 'code-o4-mini',
          requests: 40412,
          meteredCostUsd: 383.56026156,
          billedCostUsd: 513.65946162,
          varianceUsd: 130.09920006,
          unexplainedUsd: 0,
          flagged: false,
          explanation: 'calls bypassed the gateway [$130.10]',
        },
      ],
      totals: {
        meteredCostUsd: 772.327814022,
        billedCostUsd: 19418.209414081,
        effectiveCostUsd: 19418.209414082,
        varianceUsd: 18645.881600059,
        unexplainedUsd: 0,
      },
      flaggedCount: 0,
    },
    'unit-economics': (p: Record<string, string>) =>
      p['by'] === 'feature'
        ? FEATURE_DOC
        : {
            period: '2026-11',
            previousPeriod: '2026-10',
            by: 'app',
            rows: [
              {
                app: 'rag-search',
                costUsd: 12592.872303142,
                requests: 103849,
                activeUsers: 1500,
                costPerRequestUsd: 0.1212613727926316,
                costPerActiveUserUsd: 8.395248202094667,
                outcomes: [{ metric: 'searches', value: 51886, costPerUnitUsd: 0.2427, changePct: -11.21 }],
                trend: { costChangePct: 1.27 },
              },
            ],
            total: {
              costUsd: 19418.209414082,
              requests: 395249,
              activeUsers: 19456,
              costPerRequestUsd: 0.04912905387257653,
              costPerActiveUserUsd: 0.998,
              trend: { costChangePct: -0.64 },
            },
          },
    keys: [
      {
        id: 'vk-1',
        hint: 'tally-sk-ab',
        team: 'search',
        app: 'rag',
        environment: 'prod',
        status: 'active',
        createdAt: '2026-11-01T00:00:00.000Z',
      },
      {
        id: 'vk-2',
        hint: 'tally-sk-cd',
        team: 'marketing',
        app: 'writer',
        environment: 'dev',
        allowedModels: ['gpt-4o-mini', 'gpt-4.1-mini'],
        tpm: 100000,
        quota: { tokens: 5000000, period: 'day' },
        budget: { usd: 1250.5, period: 'week', hard: false },
        status: 'revoked',
        createdAt: '2026-11-02T00:00:00.000Z',
      },
    ],
    freshness: {
      sources: [
        {
          source: 'ledger',
          lastIngestAt: '2026-12-02T09:00:00.000Z',
          lastEventAt: '2026-12-02T09:00:00.000Z',
          rows: 1234567,
        },
      ],
    },
  };
}

/** `unit-economics --by feature --json` as the CLI prints it (one team's traffic, untagged included). */
const FEATURE_DOC = {
  period: '2026-11',
  previousPeriod: '2026-10',
  by: 'feature',
  basis: 'ledger',
  currency: 'USD',
  exchangeRates: [],
  kpiSource: null,
  rows: [
    {
      feature: 'summary',
      costUsd: 12.345678901,
      requests: 1200,
      costPerRequestUsd: 0.010288065750833334,
      shareOfCost: 0.8,
      aiCostShareOfRevenue: null,
      trend: { costChangePct: 12.5, costPerRequestChangePct: -3.2 },
    },
    {
      feature: '(untagged)',
      costUsd: 3.086419725,
      requests: 300,
      costPerRequestUsd: 0.01028806575,
      shareOfCost: 0.2,
      aiCostShareOfRevenue: null,
      trend: { costChangePct: null, costPerRequestChangePct: null },
    },
  ],
  total: {
    costUsd: 15.432098626,
    requests: 1500,
    costPerRequestUsd: 0.010288065750666667,
    aiCostShareOfRevenue: null,
  },
};

/** One recorded call to the fake. */
export interface Call {
  kind: 'report' | 'action';
  name: ReportName | ActionName;
  params: Record<string, string>;
  user: WebUser;
}

/** A fake WebDeps over `docs` that records every call; keys are admin-only like the API. */
export function fakeDeps(docs: Docs = sampleDocs()): WebDeps & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    now: () => new Date('2026-12-02T09:30:00Z'),
    report(name, params, user) {
      calls.push({ kind: 'report', name, params, user });
      if (name === 'keys' && user.role !== 'admin')
        return Promise.reject(new TallyError('forbidden', 'admins only'));
      const d = docs[name];
      if (d === undefined) return Promise.reject(new TallyError('not_found', `no ${name} in this test`));
      return Promise.resolve(
        typeof d === 'function' ? (d as (p: Record<string, string>) => unknown)(params) : d,
      );
    },
    action(name, params, user) {
      calls.push({ kind: 'action', name, params, user });
      return Promise.resolve({ ok: true });
    },
  };
}

/** The dashboard behind a stand-in for the server's session middleware. */
export function testApp(deps: WebDeps, user: WebUser | null) {
  const app = new Hono<{ Variables: WebVariables }>();
  app.use(async (c, next) => {
    c.set('user', user);
    c.set('csrfToken', 'tok-123');
    await next();
  });
  app.route('/', createWebApp(deps));
  return {
    async get(path: string) {
      const res = await app.request(path);
      return { status: res.status, text: await res.text(), headers: res.headers };
    },
    async post(path: string, form: Record<string, string>) {
      const res = await app.request(path, {
        method: 'POST',
        body: new URLSearchParams({ _csrf: 'tok-123', ...form }),
      });
      return { status: res.status, text: await res.text(), headers: res.headers };
    },
  };
}
