/**
 * `tally prices import FILE`: imports Azure Retail Prices API pages (JSON, saved or fetched with --url) as list
 * prices, or an EA/MCA price sheet (CSV) as effective prices, into the store (kv), and loads imports back.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ExchangeRates, TallyError, newId, readRatesFile } from '../../core/index.js';
import {
  PRICE_IMPORTS_META,
  parsePriceSheetCsv,
  parseRetailPrices,
  registerStoredImports,
  registerPriceSheetFile,
  storedImports,
  toStoredPtu,
  toStoredRecords,
  type ImportResult,
  type StoredImport,
} from '../../catalog/index.js';
import { defineCommand, type CommandContext } from '../command.js';
import { isPostgresUrl } from '../../store/index.js';

/** Registers stored imports (when a store exists) and `pricing.priceSheet` from config for this process. */
export async function loadPriceImports(ctx: CommandContext): Promise<number> {
  let n = 0;
  if (isPostgresUrl(ctx.dbPath) || existsSync(ctx.dbPath)) {
    const store = await ctx.openStore({ readOnly: true });
    n += registerStoredImports(await store.getMeta(PRICE_IMPORTS_META.namespace, PRICE_IMPORTS_META.key));
  }
  const sheet = ctx.config().pricing.priceSheet;
  if (sheet) n += registerPriceSheetFile(sheet, configuredRates(ctx));
  return n;
}

/** reporting.ratesFile's rates: what a price sheet in another currency is converted to USD with (ADR 0030). */
function configuredRates(ctx: CommandContext): ExchangeRates {
  const file = ctx.config().reporting.ratesFile;
  return new ExchangeRates(file ? readRatesFile(file) : []);
}

// Follows NextPageLink (the API pages 100-1,000 items at a time); 200 pages is far beyond one service's meters.
async function fetchPages(url: string): Promise<unknown[]> {
  const pages: unknown[] = [];
  let next: string | null = url;
  while (next && pages.length < 200) {
    let res: Response;
    try {
      res = await fetch(next);
    } catch (err) {
      throw new TallyError('unavailable', `cannot fetch ${next}: ${(err as Error).message}`, { url: next });
    }
    if (!res.ok) throw new TallyError('upstream_error', `${next} answered HTTP ${res.status}`, { url: next });
    const page = (await res.json()) as { NextPageLink?: string | null };
    pages.push(page);
    next = page.NextPageLink ?? null;
  }
  return pages;
}

function parseFile(
  path: string,
  text: string,
  anyRegion: boolean,
  day: string,
  rates: ExchangeRates,
): { kind: StoredImport['kind']; result: ImportResult & { exchangeRates?: unknown[] } } {
  const source = `${basename(path)} imported ${day}`;
  const trimmed = text.trimStart();
  if (path.toLowerCase().endsWith('.csv') || !(trimmed.startsWith('{') || trimmed.startsWith('[')))
    return {
      kind: 'pricesheet',
      result: parsePriceSheetCsv(text, { source: `price sheet ${source}`, importedAt: day, rates }),
    };
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (err) {
    throw new TallyError('invalid_input', `${path} is not valid JSON: ${(err as Error).message}`, {
      file: path,
    });
  }
  return {
    kind: 'retail',
    result: parseRetailPrices(json, {
      source: `Azure Retail Prices API, ${source}`,
      anyRegion,
      importedAt: day,
    }),
  };
}

export const pricesImportCommand = defineCommand({
  writes: true,
  positionals: true,
  options: {
    url: { type: 'string', description: 'fetch retail price pages live (follows NextPageLink)' },
    name: {
      type: 'string',
      description: 'the name to record for FILE instead of its full path (the API names uploads so)',
    },
    'any-region': {
      type: 'boolean',
      description: 'apply retail prices to every region (drop armRegionName)',
    },
  },
  async run(ctx) {
    const file = ctx.positionals[0];
    const url = ctx.str('url');
    if (!file === !url) throw new TallyError('invalid_input', 'give one FILE or --url', { field: 'file' });
    const name = ctx.str('name');
    if (name !== undefined && (!file || name.trim() === ''))
      throw new TallyError('invalid_input', '--name takes a non-empty name for FILE', { field: 'name' });
    const day = new Date().toISOString().slice(0, 10);
    const anyRegion = ctx.flag('any-region');
    let kind: StoredImport['kind'];
    let result: ImportResult & { exchangeRates?: unknown[] };
    let label: string;
    if (url) {
      label = url;
      kind = 'retail';
      result = parseRetailPrices(await fetchPages(url), {
        source: `Azure Retail Prices API ${day}`,
        anyRegion,
        importedAt: day,
      });
    } else {
      label = name ?? resolve(file!);
      let text: string;
      try {
        text = readFileSync(resolve(file!), 'utf8');
      } catch (err) {
        throw new TallyError('io_error', `cannot read ${file}: ${(err as Error).message}`, { file });
      }
      ({ kind, result } = parseFile(label, text, anyRegion, day, configuredRates(ctx)));
    }
    const store = await ctx.openStore();
    const prev = storedImports(await store.getMeta(PRICE_IMPORTS_META.namespace, PRICE_IMPORTS_META.key));
    // Re-importing the same file replaces its earlier import, so a refreshed sheet never double-counts.
    const imports = prev.filter((i) => !(i.file === label && i.kind === kind));
    const id = newId();
    imports.push({
      id,
      file: label,
      kind,
      importedAt: new Date().toISOString(),
      records: toStoredRecords(result.records),
      ptu: toStoredPtu(result.ptu),
    });
    await store.setMeta(PRICE_IMPORTS_META.namespace, PRICE_IMPORTS_META.key, { imports });
    const summary = {
      id,
      file: label,
      kind,
      basis: kind === 'retail' ? 'list' : 'effective',
      rows: result.rows,
      imported: result.records.length,
      ptuPrices: result.ptu.length,
      models: [...new Set(result.records.map((r) => r.model))].sort(),
      skipped: result.skipped,
      exchangeRates: result.exchangeRates ?? [],
    };
    if (ctx.json) {
      ctx.out.json(summary);
      return;
    }
    ctx.out.line(`Imported ${summary.imported} ${summary.basis} prices from ${result.rows} rows (${kind}).`);
    for (const [reason, n] of Object.entries(result.skipped)) ctx.out.note(`skipped ${n}: ${reason}`);
  },
});
