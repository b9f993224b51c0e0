/**
 * A cheap upper bound on a request's prompt tokens, for reservations. Byte-level BPE tokenizers (cl100k,
 * o200k) never produce more tokens than UTF-8 bytes, so bytes + the chat format's fixed overhead bound the
 * count from above at ~1 ns/byte, where the exact tokenizer costs ~0.6 µs/char (≈0.6 ms for a 1 KB prompt,
 * too slow for the hot path). Settlement corrects to the upstream's reported usage either way.
 *
 * The bound walks the whole body, not a list of known fields: providers bill `tools`, legacy `functions`,
 * `response_format` schemas, `prediction`, Responses `instructions` and `input` items as prompt text, and a
 * field we did not list (or a part typed differently from what we expected) must not reserve nothing. Every
 * string, key and scalar counts its bytes; every array element and object key adds framing tokens. Media
 * parts count by their documented rules instead of their bytes: an image is bounded by its largest tile or
 * patch count for the model, audio by its base64 length, a file (whose pages we cannot see) by the model's
 * context window.
 */

// Per array element: 3 format tokens + the role (≤ 1 token) for a message (OpenAI cookbook), which also covers
// the per-tool framing of the tools namespace. Per object key: its separator. The reply is primed with 3 more.
const PER_ELEMENT = 4;
const PER_KEY = 1;
const PER_REPLY = 3;
// Audio input is billed at ~10-25 tokens per second; the smallest codecs spend ~1,000 base64 characters per
// second, so one token per 16 characters stays above it down to ~2.4 kbit/s.
const AUDIO_CHARS_PER_TOKEN = 16;

/** What the bound needs to know about the model: the largest image and the most a prompt can hold. */
export interface MediaBounds {
  /** Tokens of the largest image the model bills (detail high/auto, worst aspect ratio). */
  readonly imageTokens: number;
  /** Tokens of the model's context window (bounds parts whose size we cannot see, such as files). */
  readonly contextTokens: number;
}

/** Defaults when the model is unknown: gpt-4o-mini's worst image (8 tiles) and a 1M-token context. */
export const DEFAULT_MEDIA: MediaBounds = { imageTokens: 2833 + 8 * 5667, contextTokens: 1_000_000 };

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Tokens of a media part, or null when `part` is not one. */
function mediaBound(part: Json, media: MediaBounds): number | null {
  const type = part['type'];
  if (type === 'image_url' || type === 'input_image' || (type === undefined && 'image_url' in part))
    return media.imageTokens;
  if (type === 'input_audio' || type === 'audio') {
    const audio = isObj(part['input_audio']) ? part['input_audio'] : part;
    const data = audio['data'];
    return typeof data === 'string' ? Math.ceil(data.length / AUDIO_CHARS_PER_TOKEN) : media.contextTokens;
  }
  if (type === 'file' || type === 'input_file') return media.contextTokens;
  return null;
}

/** `tokenIds`: numbers in arrays are token ids (embeddings `input`), one token each without framing. */
function valueBound(v: unknown, media: MediaBounds, tokenIds = false): number {
  if (typeof v === 'string') return bytes(v);
  if (Array.isArray(v)) {
    let n = 0;
    for (const x of v)
      n += tokenIds && typeof x === 'number' ? 1 : PER_ELEMENT + valueBound(x, media, tokenIds);
    return n;
  }
  if (isObj(v)) {
    const m = mediaBound(v, media);
    if (m !== null) return m;
    let n = 0;
    for (const k in v) n += bytes(k) + PER_KEY + valueBound(v[k], media);
    return n;
  }
  // numbers, booleans, null: at most one token per character of their JSON text (a token id is one token)
  return v === undefined ? 0 : String(v).length;
}

/**
 * Upper bound of the prompt tokens a body can be billed for (chat, embeddings, Responses), every field
 * counted but those in `skip` (counted exactly by the caller). Bodies are depth-checked at admission, so the
 * recursion is bounded.
 */
export function promptTokenBound(
  body: Record<string, unknown>,
  media: MediaBounds = DEFAULT_MEDIA,
  skip?: ReadonlySet<string>,
): number {
  let n = PER_REPLY;
  for (const k in body)
    if (!skip?.has(k)) n += bytes(k) + PER_KEY + valueBound(body[k], media, k === 'input');
  return n;
}
