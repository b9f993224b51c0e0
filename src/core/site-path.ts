/**
 * Where a redirect after a form may go: a path on this site only. Checked the way a browser reads it (the WHATWG
 * URL parser drops tabs and line breaks anywhere and reads `\` as `/`), so "/\t/evil.example" or "/\evil.example",
 * which a browser turns into "//evil.example", never pass as local paths.
 */
const BASE = 'http://this-site.invalid';

/** `next` as a path (with query and fragment) on this site, or `fallback` when it is anything else. */
export function sitePath(next: unknown, fallback: string): string {
  if (typeof next !== 'string' || !next.startsWith('/')) return fallback;
  // Control characters never belong in a path we send in a Location header (and CR/LF would split it).
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
