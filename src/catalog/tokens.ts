/**
 * Exact token counting with tiktoken (the WASM build of OpenAI's reference tokenizer). Chat overhead follows
 * the OpenAI cookbook: 3 tokens per message, +1 per `name`, +3 to prime the reply. Claude has no public
 * tokenizer since Claude 3, so Claude counts use o200k_base and are marked approximate.
 */
import { get_encoding, get_encoding_name_for_model, type Tiktoken, type TiktokenModel } from 'tiktoken';
import { TallyError } from '../core/index.js';
import { resolveModel } from './models.js';
import { dataUrlDimensions, imageTokens, UNKNOWN_IMAGE_SIZE } from './_image.js';
import { formatToolDefinitions } from './_tools-format.js';

/** Encodings we count with. */
export type EncodingName = 'o200k_base' | 'cl100k_base' | 'p50k_base' | 'r50k_base' | 'gpt2' | 'p50k_edit';

/** Which tokenizer a model uses and whether counts are exact. */
export interface Tokenizer {
  readonly model: string;
  readonly family: string;
  readonly encoding: EncodingName;
  readonly exact: boolean;
}

const encoders = new Map<EncodingName, Tiktoken>();

function encoder(name: EncodingName): Tiktoken {
  let e = encoders.get(name);
  if (!e) {
    e = get_encoding(name);
    encoders.set(name, e);
  }
  return e;
}

/** The tokenizer for a model: the catalog's encoding, else tiktoken's own model table, else not_found. */
export function tokenizerFor(model: string): Tokenizer {
  try {
    const m = resolveModel(model);
    return {
      model: m.id,
      family: m.family,
      encoding: m.encoding ?? 'o200k_base',
      exact: m.encoding !== null,
    };
  } catch (err) {
    try {
      const enc = get_encoding_name_for_model(model as TiktokenModel) as EncodingName;
      return { model, family: model, encoding: enc, exact: true };
    } catch {
      throw err;
    }
  }
}

/** Tokens in `text` for an encoding; special-token strings count as ordinary text (as user content does). */
export function countWithEncoding(encoding: EncodingName, text: string): number {
  return encoder(encoding).encode_ordinary(text).length;
}

/** Exact number of tokens in plain text for a model. */
export function countTextTokens(model: string, text: string): number {
  return countWithEncoding(tokenizerFor(model).encoding, text);
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function contentTokens(tk: Tokenizer, content: unknown): number {
  if (typeof content === 'string') return countWithEncoding(tk.encoding, content);
  if (!Array.isArray(content))
    return content == null ? 0 : countWithEncoding(tk.encoding, JSON.stringify(content));
  let n = 0;
  for (const part of content) {
    if (!isObj(part)) continue;
    if (typeof part['text'] === 'string') n += countWithEncoding(tk.encoding, part['text']);
    else if (part['type'] === 'image_url' || part['type'] === 'input_image') {
      const img = isObj(part['image_url']) ? part['image_url'] : part;
      const url =
        typeof img['url'] === 'string'
          ? img['url']
          : typeof part['image_url'] === 'string'
            ? part['image_url']
            : '';
      const dims =
        (typeof img['width'] === 'number' && typeof img['height'] === 'number'
          ? { width: img['width'], height: img['height'] }
          : dataUrlDimensions(url)) ?? UNKNOWN_IMAGE_SIZE;
      n += imageTokens(
        tk.family,
        dims.width,
        dims.height,
        typeof img['detail'] === 'string' ? img['detail'] : 'auto',
      );
    }
  }
  return n;
}

function messageTokens(tk: Tokenizer, msg: unknown, index: number, padSystem: boolean): number {
  if (!isObj(msg))
    throw new TallyError('invalid_input', `message ${index} is not an object`, {
      field: `messages[${index}]`,
    });
  let n = 3; // <|start|>{role}<|message|> framing, per the cookbook
  for (const [key, value] of Object.entries(msg)) {
    if (key === 'content') {
      const pad = padSystem && msg['role'] === 'system' && typeof value === 'string' ? '\n' : '';
      n += contentTokens(tk, typeof value === 'string' ? value + pad : value);
    } else if (key === 'tool_calls' && Array.isArray(value)) {
      for (const call of value) {
        const fn = isObj(call) && isObj(call['function']) ? call['function'] : {};
        n +=
          countWithEncoding(tk.encoding, String(fn['name'] ?? '')) +
          countWithEncoding(tk.encoding, String(fn['arguments'] ?? ''));
      }
    } else if (typeof value === 'string') {
      n += countWithEncoding(tk.encoding, value);
      if (key === 'name') n += 1;
    }
  }
  return n;
}

/**
 * Exact prompt tokens of OpenAI chat messages (cookbook overhead), plus tool definitions when given
 * (namespace rendering + 9, minus 4 when a system message exists) and image parts (tile/patch formula).
 */
export function countChatTokens(
  model: string,
  messages: readonly unknown[],
  tools?: readonly unknown[],
): number {
  const tk = tokenizerFor(model);
  const hasTools = tools !== undefined && tools.length > 0;
  let n = 3; // every reply is primed with <|start|>assistant<|message|>
  messages.forEach((m, i) => (n += messageTokens(tk, m, i, hasTools)));
  if (hasTools) {
    n += countWithEncoding(tk.encoding, formatToolDefinitions(tools)) + 9;
    if (messages.some((m) => isObj(m) && m['role'] === 'system')) n -= 4;
  }
  return n;
}

/**
 * The first `n` tokens of `text` (ordinary encoding), or null when it has fewer. Encodes a growing head of the
 * text (6, then 24 characters a token, then `maxChars`), so the usual prompt costs about 6n characters of work
 * rather than its whole length.
 */
export function leadingTokens(
  encoding: EncodingName,
  text: string,
  n: number,
  maxChars = 64 * n,
): Uint32Array | null {
  for (const size of [6 * n, 24 * n, maxChars]) {
    const head = text.length > size ? text.slice(0, size) : text;
    const ids = encoder(encoding).encode_ordinary(head);
    // A token cut at the head's end is never among the first n when n + 1 tokens fit before it.
    if (ids.length > n || (ids.length === n && head.length === text.length)) return ids.slice(0, n);
    if (head.length === text.length || size >= maxChars) return null;
  }
  return null;
}
