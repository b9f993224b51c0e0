/**
 * Paging for anything that can grow. A report document is what the CLI prints; `limit` and `offset` slice its
 * list (the top-level array, or its `rows` / `anomalies` / `incidents` / `items`) and say how many there are in
 * `x-total-count`, with a `link` to the next page. Without them the whole document is returned, as printed.
 */
import { TallyError } from '../core/index.js';

/** Query parameters paging takes (never passed on to a report). */
export const PAGING_PARAMS: ReadonlySet<string> = new Set(['limit', 'offset']);
/** The most rows one page may hold. */
export const MAX_PAGE = 10_000;
const LIST_KEYS = ['rows', 'anomalies', 'incidents', 'items', 'recommendations'] as const;

function count(q: URLSearchParams, name: string, fallback: number): number {
  const v = q.get(name);
  if (v === null) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || (name === 'limit' && (n < 1 || n > MAX_PAGE)))
    throw new TallyError(
      'invalid_input',
      `${name} must be a whole number${name === 'limit' ? ` from 1 to ${MAX_PAGE}` : ' >= 0'}`,
      { param: name },
    );
  return n;
}

/** Slices a document's list when asked; null when no paging was asked for. */
export function paginate(
  doc: unknown,
  q: URLSearchParams,
): { doc: unknown; headers: Record<string, string> } | null {
  if (!q.has('limit') && !q.has('offset')) return null;
  const limit = count(q, 'limit', MAX_PAGE);
  const offset = count(q, 'offset', 0);
  const slice = (list: readonly unknown[]) => list.slice(offset, offset + limit);
  let total: number;
  let out: unknown;
  if (Array.isArray(doc)) {
    total = doc.length;
    out = slice(doc);
  } else {
    const rec = doc as Record<string, unknown>;
    const key = LIST_KEYS.find((k) => Array.isArray(rec[k]));
    if (!key) return null;
    const list = rec[key] as unknown[];
    total = list.length;
    out = { ...rec, [key]: slice(list) };
  }
  const headers: Record<string, string> = { 'x-total-count': String(total) };
  if (offset + limit < total) {
    const next = new URLSearchParams(q);
    next.set('offset', String(offset + limit));
    next.set('limit', String(limit));
    headers['link'] = `<?${next.toString()}>; rel="next"`;
  }
  return { doc: out, headers };
}
