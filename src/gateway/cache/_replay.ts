/**
 * Streams and cached answers. A cache stores chat answers as one `chat.completion` JSON; a streaming
 * request that hits is answered by replaying that JSON as `chat.completion.chunk` SSE events, and a
 * streamed upstream answer is assembled back into one JSON before it is stored.
 */

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null;

/** Replays a `chat.completion` as SSE bytes: role+content chunk per choice, finish chunk, usage chunk if asked, [DONE]. */
export function completionToSse(completion: Buffer, withUsage: boolean): Buffer | null {
  let doc: Obj | null;
  try {
    doc = obj(JSON.parse(completion.toString('utf8')));
  } catch {
    return null;
  }
  if (!doc || doc['object'] !== 'chat.completion' || !Array.isArray(doc['choices'])) return null;
  const head = {
    id: doc['id'],
    object: 'chat.completion.chunk',
    created: doc['created'],
    model: doc['model'],
  };
  const events: Obj[] = [];
  for (const c of doc['choices'] as unknown[]) {
    const choice = obj(c);
    const msg = obj(choice?.['message']);
    if (!choice || !msg) return null;
    const delta: Obj = { role: msg['role'] ?? 'assistant', content: msg['content'] ?? '' };
    if (Array.isArray(msg['tool_calls']))
      delta['tool_calls'] = (msg['tool_calls'] as unknown[]).map((t, index) => ({ index, ...obj(t) }));
    if (msg['refusal'] !== undefined) delta['refusal'] = msg['refusal'];
    const index = choice['index'] ?? 0;
    events.push({ ...head, choices: [{ index, delta, logprobs: null, finish_reason: null }] });
    events.push({
      ...head,
      choices: [{ index, delta: {}, logprobs: null, finish_reason: choice['finish_reason'] ?? 'stop' }],
    });
  }
  if (withUsage && doc['usage'] !== undefined) events.push({ ...head, choices: [], usage: doc['usage'] });
  const text = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';
  return Buffer.from(text, 'utf8');
}

/**
 * Assembles a streamed chat answer (raw SSE bytes) into a `chat.completion` JSON; null when the stream is not
 * a complete, plain chat answer (no [DONE], tool-call deltas, errors), which is then simply not cached.
 */
export function sseToCompletion(sse: Buffer): Buffer | null {
  const text = sse.toString('utf8');
  if (!/data: ?\[DONE\]/.test(text)) return null;
  let head: Obj | null = null;
  let usage: unknown;
  const choices = new Map<number, { role: string; content: string; finish: unknown }>();
  for (const ev of text.split(/\r?\n\r?\n/)) {
    const line = ev
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trimStart())
      .join('\n');
    if (line === '' || line === '[DONE]') continue;
    let chunk: Obj | null;
    try {
      chunk = obj(JSON.parse(line));
    } catch {
      return null;
    }
    if (!chunk || chunk['object'] !== 'chat.completion.chunk') return null;
    head ??= chunk;
    if (chunk['usage']) usage = chunk['usage'];
    for (const c of Array.isArray(chunk['choices']) ? (chunk['choices'] as unknown[]) : []) {
      const choice = obj(c);
      const delta = obj(choice?.['delta']);
      if (!choice) continue;
      if (delta && (delta['tool_calls'] !== undefined || delta['function_call'] !== undefined)) return null;
      const index = typeof choice['index'] === 'number' ? choice['index'] : 0;
      const acc = choices.get(index) ?? { role: 'assistant', content: '', finish: null };
      if (typeof delta?.['role'] === 'string') acc.role = delta['role'];
      if (typeof delta?.['content'] === 'string') acc.content += delta['content'];
      if (choice['finish_reason']) acc.finish = choice['finish_reason'];
      choices.set(index, acc);
    }
  }
  if (!head || choices.size === 0) return null;
  const completion = {
    id: head['id'],
    object: 'chat.completion',
    created: head['created'],
    model: head['model'],
    choices: [...choices.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([index, c]) => ({
        index,
        message: { role: c.role, content: c.content, refusal: null },
        logprobs: null,
        finish_reason: c.finish ?? 'stop',
      })),
    ...(usage !== undefined ? { usage } : {}),
  };
  return Buffer.from(JSON.stringify(completion), 'utf8');
}
