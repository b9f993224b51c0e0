/** A small RFC 4180 CSV reader for the modest files Tally reads in JavaScript (price sheets, KPI files). */

/**
 * Parses CSV text into records of strings: quoted fields may hold commas, doubled quotes and line breaks;
 * CRLF and LF both end a record; a leading byte-order mark is dropped; blank records are skipped.
 * Bulk cost exports do not come through here: ingest reads them with DuckDB.
 */
export function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let rec: string[] = [];
  let field = '';
  let quoted = false;
  const end = (): void => {
    rec.push(field);
    if (rec.some((f) => f.trim() !== '')) out.push(rec);
    rec = [];
    field = '';
  };
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      rec.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      end();
    } else field += ch;
  }
  if (field !== '' || rec.length > 0) end();
  return out;
}
