/**
 * Where a redirect after a form may go: a path on this site only. Checked the way a browser reads it (the WHATWG
 * URL parser drops tabs and line breaks anywhere and reads `\` as `/`), so "/\t/evil.example" or "/\evil.example",
 * which a browser turns into "//evil.example", never pass as local paths; nor does a path whose dot segments the
 * parser collapses into "//evil.example" ("/.//evil.example").
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
  // The parser also collapses dot segments ("/.//evil.example" -> "//evil.example"): a normalised path that starts
  // with two slashes is another host to whoever reads the Location header.
  if (url.origin !== BASE || url.pathname.startsWith('//')) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
