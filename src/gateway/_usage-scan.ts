/**
 * Reads the top-level `usage` object of a JSON answer without parsing the whole answer. A completion can be
 * kilobytes of text and the gateway only needs a dozen numbers from its end: the answer is relayed as the bytes
 * it came as, and only the `usage` object is parsed.
 *
 * The scan finds the last `"usage"` key, takes the object after it, and proves the key is at the top level:
 * the rest of the document must close exactly one level, at its last byte. (In JSON text the bytes `"usage"`
 * can only be a whole string token, since quotes inside strings are escaped; followed by a colon it is a key.)
 * Anything unexpected (no usage, a nested one, odd bytes) returns `undefined` and the caller parses the whole
 * answer instead.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const COLON = 0x3a;
const KEY = Buffer.from('"usage"');

const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/** Index after the string starting at `i` (a quote), or -1 when it does not end. */
function skipString(buf: Buffer, i: number): number {
  for (let j = i + 1; j < buf.length; j++) {
    const b = buf[j]!;
    if (b === BACKSLASH) j++;
    else if (b === QUOTE) return j + 1;
  }
  return -1;
}

/**
 * Walks `buf` from `from` to `to` (exclusive) starting at nesting `depth`; returns the depth at the end, or the
 * index (as a negative number minus one) where the depth first reached `stopAt`. Strings are skipped whole.
 */
function walk(buf: Buffer, from: number, to: number, depth: number, stopAt: number): number {
  for (let i = from; i < to; i++) {
    const b = buf[i]!;
    if (b === QUOTE) {
      const end = skipString(buf, i);
      if (end < 0 || end > to) return Number.NaN;
      i = end - 1;
    } else if (b === OPEN_OBJ || b === OPEN_ARR) depth++;
    else if (b === CLOSE_OBJ || b === CLOSE_ARR) {
      depth--;
      if (depth === stopAt) return -i - 1;
    }
  }
  return depth;
}

/**
 * The top-level `usage` value of a JSON object document: the parsed object, `null` when the document's usage
 * is JSON null, or `undefined` when the scan cannot prove where usage is (the caller then parses everything).
 */
export function scanTopLevelUsage(buf: Buffer): unknown {
  let start = 0;
  while (start < buf.length && isSpace(buf[start]!)) start++;
  let end = buf.length - 1;
  while (end >= 0 && isSpace(buf[end]!)) end--;
  if (start >= end || buf[start] !== OPEN_OBJ || buf[end] !== CLOSE_OBJ) return undefined;
  const key = buf.lastIndexOf(KEY, end);
  if (key <= start) return undefined;
  // A key is followed by a colon; a string value "usage" would be followed by , } or ].
  let i = key + KEY.length;
  while (i < end && isSpace(buf[i]!)) i++;
  if (buf[i] !== COLON) return undefined;
  i++;
  while (i < end && isSpace(buf[i]!)) i++;
  let valueEnd: number;
  if (buf[i] === OPEN_OBJ) {
    const closed = walk(buf, i + 1, end, 1, 0);
    if (!(closed < 0)) return undefined;
    valueEnd = -closed; // index after the usage object's closing brace
  } else if (buf.subarray(i, i + 4).toString('latin1') === 'null') valueEnd = i + 4;
  else return undefined;
  // Top level: what follows the value closes exactly one level, and only at the document's last byte.
  const tail = walk(buf, valueEnd, end + 1, 1, 0);
  if (tail !== -end - 1) return undefined;
  try {
    return JSON.parse(buf.subarray(i, valueEnd).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
