import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyCharge, type ChargeFacts } from './index.js';

const facts = (over: Partial<ChargeFacts>): ChargeFacts => ({
  providerName: 'Microsoft',
  serviceCategory: null,
  serviceName: null,
  serviceSubcategory: null,
  resourceType: null,
  meterCategory: null,
  meterSubcategory: null,
  skuMeter: null,
  chargeDescription: null,
  ...over,
});

test('Azure OpenAI token meters yield model, token type and deployment type', () => {
  const cases: [string, string, string, string][] = [
    ['gpt-4o-mini-0718-Inp-glbl Tokens', 'gpt-4o-mini', 'input', 'global-standard'],
    ['gpt 4o 0513 Output global Tokens', 'gpt-4o', 'output', 'global-standard'],
    ['gpt-4o-0806-Inp-glbl Tokens', 'gpt-4o', 'input', 'global-standard'],
    ['o4-mini 0416 Inp glbl Tokens', 'o4-mini', 'input', 'global-standard'],
    ['gpt-4o-mini-0718-Outp-DZone Tokens', 'gpt-4o-mini', 'output', 'data-zone'],
    ['gpt-4o-0806-cached-Inp-regnl Tokens', 'gpt-4o', 'cached-input', 'regional'],
    ['text-embedding-3-large-regional Tokens', 'text-embedding-3-large', 'input', 'regional'],
    ['R1 Inp glbl Tokens', 'deepseek-r1', 'input', 'global-standard'],
    ['5.4 inp Gl 1M Tokens', 'gpt-5.4', 'input', 'global-standard'],
    ['gpt-4o-mini Batch Inp Tokens', 'gpt-4o-mini', 'input', 'batch'],
  ];
  for (const [meter, model, tokenType, deploymentType] of cases) {
    const c = classifyCharge(
      facts({ meterCategory: 'Cognitive Services', meterSubcategory: 'Azure OpenAI', skuMeter: meter }),
    );
    assert.ok(c, meter);
    assert.equal(c.model, model, meter);
    assert.equal(c.deploymentType, deploymentType, meter);
    if (tokenType !== 'none') assert.equal(c.tokenType, tokenType, meter);
    assert.equal(c.provider, 'azure');
  }
});

test('PTU, fine-tune hosting and the new Foundry naming are recognised', () => {
  const ptu = classifyCharge(
    facts({ meterCategory: 'Foundry Models', skuMeter: 'Provisioned Managed Global Unit' }),
  );
  assert.deepEqual(
    [ptu?.service, ptu?.deploymentType, ptu?.tokenType, ptu?.model],
    ['openai', 'provisioned', 'none', null],
  );
  const ri = classifyCharge(
    facts({
      meterCategory: 'Foundry Models',
      skuMeter: 'Provisioned Managed Global Unit',
      chargeDescription: 'Azure AI Foundry Provisioned Throughput Reservation',
    }),
  );
  assert.equal(ri?.deploymentType, 'provisioned-reservation');
  const host = classifyCharge(
    facts({ meterCategory: 'Cognitive Services', skuMeter: 'gpt-4o-mini FT Hosting Hour' }),
  );
  assert.equal(host?.deploymentType, 'fine-tune-hosting');
  const train = classifyCharge(
    facts({ meterCategory: 'Foundry Models', skuMeter: 'gpt-4o-mini Training Tokens' }),
  );
  assert.deepEqual([train?.tokenType, train?.deploymentType], ['training', 'fine-tune-training']);
});

test('AI Search, ML workspaces, speech and document intelligence count as AI; VMs do not', () => {
  assert.equal(
    classifyCharge(facts({ resourceType: 'microsoft.search/searchservices', skuMeter: 'Standard S1 Unit' }))
      ?.service,
    'ai-search',
  );
  assert.equal(
    classifyCharge(facts({ serviceName: 'Azure AI Search', skuMeter: 'Standard S1 Unit' }))?.service,
    'ai-search',
  );
  assert.equal(
    classifyCharge(
      facts({
        resourceType: 'microsoft.machinelearningservices/workspaces',
        meterCategory: 'Virtual Machines',
      }),
    )?.service,
    'ml',
  );
  assert.equal(
    classifyCharge(
      facts({ meterCategory: 'Foundry Tools', meterSubcategory: 'Speech', skuMeter: 'S1 Speech to Text' }),
    )?.service,
    'speech',
  );
  assert.equal(
    classifyCharge(
      facts({
        meterCategory: 'Cognitive Services',
        meterSubcategory: 'Form Recognizer',
        skuMeter: 'S0 Read Pages',
      }),
    )?.service,
    'document-intelligence',
  );
  assert.equal(
    classifyCharge(
      facts({ meterCategory: 'Virtual Machines', skuMeter: 'D2 v3', serviceCategory: 'Compute' }),
    ),
    null,
  );
  assert.equal(classifyCharge(facts({ meterCategory: 'Storage', skuMeter: 'Hot LRS Data Stored' })), null);
  assert.equal(
    classifyCharge(facts({ serviceName: 'Premium SSD v2 Provisioned IOPS', serviceCategory: 'Storage' })),
    null,
  );
});
