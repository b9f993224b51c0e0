import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessMaturity, type MaturityInputs } from './index.js';

const facts = {
  ledgerCostNanos: 1000n,
  taggedCostNanos: 990n,
  ledgerListNanos: 600n,
  exportTokenListNanos: 1000n,
  activeKeys: 10,
  keysWithLimits: 9,
  teamsWithSpend: ['a', 'b'],
  appsWithSpend: 4,
  appsWithKpis: 1,
  incidentsTriaged: 0,
};
const base: MaturityInputs = { facts, budgets: [], ptu: [], forecast: null };
const level = (inp: MaturityInputs, name: string) => assessMaturity(inp).find((c) => c.name === name)!.level;

test('every capability is scored crawl, walk or run with evidence and a next step', () => {
  const caps = assessMaturity(base);
  assert.equal(caps.length, 8);
  for (const c of caps) {
    assert.ok(['crawl', 'walk', 'run'].includes(c.level), c.name);
    assert.ok(c.next.length > 10 && Object.keys(c.evidence).length > 0, c.name);
  }
});

test('coverage shares cross walk at 80% and run at 95%; the gateway share at 50% and 90%', () => {
  assert.equal(level(base, 'tag and allocation coverage'), 'run');
  assert.equal(
    level({ ...base, facts: { ...facts, taggedCostNanos: 850n } }, 'tag and allocation coverage'),
    'walk',
  );
  assert.equal(level(base, 'share of traffic through the gateway'), 'walk');
  assert.equal(
    level(
      { ...base, facts: { ...facts, exportTokenListNanos: null } },
      'share of traffic through the gateway',
    ),
    'crawl',
  );
});

test('budgets run only when most teams have one and none is exceeded', () => {
  assert.equal(level(base, 'budgets defined and respected'), 'crawl');
  const two = [
    { scope: 'team=a', exceeded: false },
    { scope: 'team=b', exceeded: false },
  ];
  assert.equal(level({ ...base, budgets: two }, 'budgets defined and respected'), 'run');
  assert.equal(
    level(
      { ...base, budgets: [{ scope: 'team=a', exceeded: true }, two[1]!] },
      'budgets defined and respected',
    ),
    'walk',
  );
});

test('an under-used PTU deployment is crawl and forecast error under 10% is run', () => {
  const ptu = [
    {
      deployment: 'p',
      account: 'a',
      deployedPtu: 50,
      utilisation: 0.04,
      reservationCoverage: 0.8,
      reservationUtilisation: 1,
    },
  ];
  assert.equal(level({ ...base, ptu }, 'reservations and PTU utilisation'), 'crawl');
  assert.equal(
    level({ ...base, forecast: { actual: [100, 100], predicted: [95, 104] } }, 'forecast accuracy'),
    'run',
  );
  assert.equal(
    level({ ...base, forecast: { actual: [100, 100], predicted: [60, 150] } }, 'forecast accuracy'),
    'crawl',
  );
});
