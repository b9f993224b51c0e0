import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get_encoding } from 'tiktoken';
import { runCli } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tally-tokens-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const o200k = get_encoding('o200k_base');
const cl100k = get_encoding('cl100k_base');
const ref = (enc: typeof o200k, s: string) => enc.encode_ordinary(s).length;

const TEXT =
  'Tally counts tokens exactly: naïve café, 東京, emoji 🚀, code `x => x * 2`, <|endoftext|> and\n\ttabs.';

test('tokens --text --json prints model, o200k_base encoding and the reference tiktoken count', async () => {
  const r = await runCli(['tokens', '--model', 'gpt-4o', '--text', TEXT, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json<{ model: string; encoding: string; tokens: number }>();
  assert.equal(j.model, 'gpt-4o');
  assert.equal(j.encoding, 'o200k_base');
  assert.equal(j.tokens, ref(o200k, TEXT));
});

test('tokens --messages adds 3 per message, 1 per name and 3 to prime the reply', async () => {
  const messages = [
    { role: 'system', content: 'You are a terse assistant.' },
    { role: 'user', name: 'alice', content: 'What is 2+2?' },
    { role: 'assistant', content: '4' },
  ];
  const f = join(dir, 'm.json');
  writeFileSync(f, JSON.stringify(messages));
  const r = await runCli(['tokens', '--model', 'gpt-4o', '--messages', f, '--json']);
  assert.equal(r.code, 0, r.stderr);
  let expected = 3;
  for (const m of messages) {
    expected += 3;
    for (const [k, v] of Object.entries(m)) expected += ref(o200k, v) + (k === 'name' ? 1 : 0);
  }
  assert.equal(r.json<{ tokens: number }>().tokens, expected);
});

test('tokens uses cl100k_base for older models and reads a file', async () => {
  const f = join(dir, 't.txt');
  writeFileSync(f, TEXT.repeat(3));
  const r = await runCli(['tokens', '--model', 'text-embedding-3-small', '--file', f, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json<{ encoding: string; tokens: number }>();
  assert.equal(j.encoding, 'cl100k_base');
  assert.equal(j.tokens, ref(cl100k, TEXT.repeat(3)));
});

test('tokens with an unknown model fails and lists close matches', async () => {
  const r = await runCli(['tokens', '--model', 'gpt-4o-mnii', '--text', 'x']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /gpt-4o-mini/);
});
