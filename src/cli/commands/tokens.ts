/** `tally tokens`: exact token counts (tiktoken) for text, a file, or OpenAI chat messages (+ tools). */
import { readFileSync } from 'node:fs';
import { TallyError } from '../../core/index.js';
import { countChatTokens, countWithEncoding, tokenizerFor } from '../../catalog/index.js';
import { defineCommand } from '../command.js';

function readText(path: string): string {
  try {
    return path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch (err) {
    throw new TallyError('io_error', `cannot read ${path}: ${(err as Error).message}`, { file: path });
  }
}

function readJson(path: string): unknown {
  const text = readText(path);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new TallyError('invalid_input', `${path} is not valid JSON: ${(err as Error).message}`, {
      file: path,
    });
  }
}

/** Accepts a messages array, or a request body `{messages, tools}`. */
function messagesFrom(path: string, value: unknown): { messages: unknown[]; tools: unknown[] | undefined } {
  if (Array.isArray(value)) return { messages: value, tools: undefined };
  if (value && typeof value === 'object' && Array.isArray((value as Record<string, unknown>)['messages'])) {
    const v = value as Record<string, unknown>;
    const tools = v['tools'] ?? v['functions'];
    return { messages: v['messages'] as unknown[], tools: Array.isArray(tools) ? tools : undefined };
  }
  throw new TallyError('invalid_input', `${path}: expected an OpenAI messages array or {"messages": [...]}`, {
    file: path,
    field: 'messages',
  });
}

export const tokensCommand = defineCommand({
  local: true,
  options: {
    model: { type: 'string', short: 'm', description: 'model name or alias (e.g. gpt-4o)' },
    text: { type: 'string', description: 'text to count' },
    file: { type: 'string', description: 'text file to count (- for stdin)' },
    messages: { type: 'string', description: 'JSON file: OpenAI messages array or {messages, tools}' },
    tools: { type: 'string', description: 'JSON file: tool definitions to add to --messages' },
  },
  async run(ctx) {
    const model = ctx.str('model');
    if (!model)
      throw new TallyError('invalid_input', 'give --model, e.g. --model gpt-4o', { field: 'model' });
    const sources = (['text', 'file', 'messages'] as const).filter((k) => ctx.values[k] !== undefined);
    if (sources.length !== 1)
      throw new TallyError('invalid_input', 'give exactly one of --text, --file or --messages', {
        field: 'text',
      });
    const tk = tokenizerFor(model);
    let tokens: number;
    let messageCount: number | undefined;
    const text = ctx.str('text');
    const file = ctx.str('file');
    const messagesPath = ctx.str('messages');
    if (text !== undefined) tokens = countWithEncoding(tk.encoding, text);
    else if (file !== undefined) tokens = countWithEncoding(tk.encoding, readText(file));
    else {
      const path = messagesPath!;
      const { messages, tools: bodyTools } = messagesFrom(path, readJson(path));
      const toolsPath = ctx.str('tools');
      const extra = toolsPath ? readJson(toolsPath) : undefined;
      if (extra !== undefined && !Array.isArray(extra))
        throw new TallyError('invalid_input', `${toolsPath}: expected an array of tool definitions`, {
          field: 'tools',
        });
      const tools = (extra as unknown[] | undefined) ?? bodyTools;
      tokens = countChatTokens(tk.model, messages, tools);
      messageCount = messages.length;
    }
    const result = {
      model,
      modelId: tk.model,
      encoding: tk.encoding,
      tokens,
      exact: tk.exact,
      ...(messageCount !== undefined ? { messages: messageCount } : {}),
    };
    if (ctx.json) ctx.out.json(result);
    else {
      ctx.out.line(`${tokens} tokens (${tk.encoding}, ${tk.model})`);
      if (!tk.exact)
        ctx.out.note(`${tk.model} has no public tokenizer; the count uses ${tk.encoding} and is approximate`);
    }
  },
});
