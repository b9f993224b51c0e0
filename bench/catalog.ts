/**
 * Catalog and estimator speed: tiktoken counting throughput, chat counting, priceUsage (gateway hot path)
 * and a 12-month, 3-option estimate. Run: npm run bench:catalog. Figures go in docs/benchmarks.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { countChatTokens, countTextTokens, priceUsage } from '../src/catalog/index.js';
import { estimateScenario, loadScenario } from '../src/estimate/index.js';

const root = join(import.meta.dirname, '..');

function corpus(): string {
  // Real prose when the shared notes are present; a synthetic mix (code, prose, CJK, emoji) otherwise.
  try {
    const dir = join(root, '..', 'shared', 'domain');
    return readdirSync(dir)
      .filter((f) => f.endsWith('.md') || f.endsWith('.txt'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
  } catch {
    return 'The quick brown fox 東京 🚀 `const x = y * 2;` jumps over 1,234.56 lazy dogs.\n'.repeat(2000);
  }
}

function time(label: string, iterations: number, fn: () => void): number {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  const ms = performance.now() - t0;
  console.log(
    `${label}: ${((ms * 1000) / iterations).toFixed(2)} µs/op (${Math.round((iterations * 1000) / ms)} ops/s)`,
  );
  return ms;
}

let text = corpus();
while (text.length < 1_000_000) text += text;
const bytes = Buffer.byteLength(text);
for (const model of ['gpt-4o', 'text-embedding-3-small']) {
  const t0 = performance.now();
  const tokens = countTextTokens(model, text);
  const s = (performance.now() - t0) / 1000;
  console.log(
    `countTextTokens ${model}: ${(bytes / 1e6).toFixed(2)} MB, ${tokens} tokens in ${(s * 1000).toFixed(0)} ms = ${(bytes / 1e6 / s).toFixed(2)} MB/s, ${Math.round(tokens / s)} tokens/s`,
  );
}

const chat = Array.from({ length: 10 }, (_, i) => ({
  role: i % 2 ? 'assistant' : 'user',
  content: text.slice(i * 400, i * 400 + 400),
}));
time('countChatTokens gpt-4o, 10 messages x 400 chars', 2000, () => countChatTokens('gpt-4o', chat));
time('priceUsage gpt-4o global-standard with a discount', 100_000, () =>
  priceUsage(
    { inputTokens: 1234, cachedInputTokens: 200, outputTokens: 456 },
    { model: 'gpt-4o', deployment: 'global-standard' },
    [{ model: 'gpt-4o', percent: 15 }],
  ),
);
const scenario = loadScenario(join(root, 'examples', 'support-chatbot.yaml'));
time('estimateScenario examples/support-chatbot.yaml (12 months, 3 options)', 200, () =>
  estimateScenario(scenario),
);
