import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../core/index.js';
import { evaluatePolicy, modelMatches, policyError, type PolicyConfig, type PolicyRequest } from './index.js';

function policyOf(raw: unknown): PolicyConfig {
  const cfg = configSchema.parse({ version: 1, policy: raw });
  if (!cfg.policy) throw new Error('no policy');
  return cfg.policy;
}

const base: PolicyRequest = {
  environment: 'dev',
  modelNames: ['gpt-4o', 'gpt-4o-2024-08-06', 'gpt-4o'],
  deploymentTypes: ['global-standard'],
  requestedMaxOutputTokens: null,
  tags: {},
};

const issuePolicy = {
  environments: {
    dev: { allowModels: ['gpt-4o-mini'] },
    prod: { allowModels: ['gpt-4o', 'gpt-4o-mini'], maxOutputTokens: 4096 },
  },
};

test('dev is denied gpt-4o and the denial names the rule', () => {
  const d = evaluatePolicy(policyOf(issuePolicy), base);
  assert.equal(d.allow, false);
  if (d.allow) return;
  assert.equal(d.rule, 'policy.environments.dev.allowModels');
  assert.match(d.reason, /gpt-4o-mini/);
  const err = policyError(d);
  assert.equal(err.httpStatus, 403);
  assert.equal(err.details['rule'], 'policy.environments.dev.allowModels');
});

test('prod allows gpt-4o by its dated id as well as its alias', () => {
  const d = evaluatePolicy(policyOf(issuePolicy), {
    ...base,
    environment: 'prod',
    modelNames: ['gpt-4o-2024-08-06', 'gpt-4o'],
  });
  assert.equal(d.allow, true);
  if (d.allow) assert.equal(d.maxOutputTokens, 4096);
});

test('a request above the environment output cap is denied, one at the cap is allowed', () => {
  const p = policyOf(issuePolicy);
  const over = evaluatePolicy(p, { ...base, environment: 'prod', requestedMaxOutputTokens: 4097 });
  assert.equal(over.allow, false);
  if (!over.allow) {
    assert.equal(over.rule, 'policy.environments.prod.maxOutputTokens');
    assert.equal(over.param, 'max_tokens');
  }
  assert.equal(
    evaluatePolicy(p, { ...base, environment: 'prod', requestedMaxOutputTokens: 4096 }).allow,
    true,
  );
});

test('the tighter of the global and environment output caps applies', () => {
  const p = policyOf({ maxOutputTokens: 1000, environments: { prod: { maxOutputTokens: 4096 } } });
  const d = evaluatePolicy(p, { ...base, environment: 'prod', requestedMaxOutputTokens: 2000 });
  assert.equal(d.allow, false);
  if (!d.allow) assert.equal(d.rule, 'policy.maxOutputTokens');
});

test('required tags are enforced globally and per environment', () => {
  const p = policyOf({ requiredTags: ['owner'], environments: { prod: { requiredTags: ['ticket'] } } });
  const a = evaluatePolicy(p, { ...base, environment: 'prod', tags: {} });
  assert.equal(!a.allow && a.rule, 'policy.requiredTags');
  const b = evaluatePolicy(p, { ...base, environment: 'prod', tags: { owner: 'ana' } });
  assert.equal(!b.allow && b.rule, 'policy.environments.prod.requiredTags');
  assert.equal(
    evaluatePolicy(p, { ...base, environment: 'prod', tags: { owner: 'ana', ticket: 'T-1' } }).allow,
    true,
  );
});

test('provisioned deployments are excluded outside prod and without the approval tag', () => {
  const p = policyOf({
    restrictedDeployments: {
      types: ['provisioned', 'fine-tuned'],
      environments: ['prod'],
      approvalTag: 'approved',
    },
  });
  const mixed = { ...base, deploymentTypes: ['provisioned', 'global-standard'] };
  const dev = evaluatePolicy(p, mixed);
  assert.deepEqual(dev.allow && dev.excludedDeploymentTypes, ['provisioned', 'fine-tuned']);
  const ptuOnly = evaluatePolicy(p, { ...base, environment: 'prod', deploymentTypes: ['provisioned'] });
  assert.equal(!ptuOnly.allow && ptuOnly.rule, 'policy.restrictedDeployments');
  const approved = evaluatePolicy(p, {
    ...base,
    environment: 'prod',
    deploymentTypes: ['provisioned'],
    tags: { approved: 'yes' },
  });
  assert.deepEqual(approved.allow && approved.excludedDeploymentTypes, []);
  const falseTag = evaluatePolicy(p, {
    ...base,
    environment: 'prod',
    deploymentTypes: ['provisioned'],
    tags: { approved: 'false' },
  });
  assert.equal(falseTag.allow, false);
});

test('a key allow-list is checked before environment rules', () => {
  const d = evaluatePolicy(undefined, { ...base, keyAllowedModels: ['gpt-4o-mini*'] });
  assert.equal(!d.allow && d.rule, 'key.allowedModels');
  const ok = evaluatePolicy(undefined, {
    ...base,
    modelNames: ['gpt-4o-mini-2024-07-18'],
    keyAllowedModels: ['gpt-4o-mini*'],
  });
  assert.equal(ok.allow, true);
});

test('unknown environments follow the configured default', () => {
  const allow = evaluatePolicy(policyOf(issuePolicy), { ...base, environment: 'staging' });
  assert.equal(allow.allow, true);
  const d = evaluatePolicy(policyOf({ ...issuePolicy, unknownEnvironment: 'deny' }), {
    ...base,
    environment: 'staging',
  });
  assert.equal(!d.allow && d.rule, 'policy.unknownEnvironment');
});

test('an environment named like an Object prototype member is not mistaken for a rule', () => {
  const d = evaluatePolicy(policyOf({ ...issuePolicy, unknownEnvironment: 'deny' }), {
    ...base,
    environment: 'constructor',
  });
  assert.equal(d.allow, false);
});

test('globs match case-insensitively and escape regex characters', () => {
  assert.equal(modelMatches('gpt-4o*', 'GPT-4o-mini'), true);
  assert.equal(modelMatches('gpt-4.1', 'gpt-441'), false);
  assert.equal(modelMatches('*', 'anything'), true);
});

test('a typo in the policy section is rejected by the schema', () => {
  assert.throws(() => policyOf({ environments: { dev: { allowModel: ['x'] } } }));
});
