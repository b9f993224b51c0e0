import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT, runCli } from './cli.js';

interface Out {
  options: {
    model: string;
    deployment: string;
    totalCostUsd: number;
    fits: boolean;
    months: { totalCostUsd: number }[];
  }[];
  cheapest: { model: string; deployment: string };
}

for (const example of ['support-chatbot.yaml', 'rag-assistant.yaml']) {
  test(`the ${example} example estimates every option and recommends the cheapest that fits`, async () => {
    const r = await runCli(['estimate', '--scenario', join(REPO_ROOT, 'examples', example), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = r.json<Out>();
    assert.ok(out.options.length >= 3);
    for (const o of out.options) {
      const sum = o.months.reduce((s, m) => s + m.totalCostUsd, 0);
      assert.ok(Math.abs(sum - o.totalCostUsd) < 1e-6);
      assert.ok(o.totalCostUsd > 0);
    }
    const fitting = out.options.filter((o) => o.fits);
    const best = fitting.reduce((a, b) => (b.totalCostUsd < a.totalCostUsd ? b : a));
    assert.deepEqual(out.cheapest.model, best.model);
    assert.deepEqual(out.cheapest.deployment, best.deployment);
  });
}
