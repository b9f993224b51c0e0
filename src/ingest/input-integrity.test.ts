import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { TallyError } from '../core/index.js';
import { openStore, type CostStore, duckdbSql } from '../store/index.js';
import { ingestFiles, validateFile } from './index.js';

// Issue 15, classes 12-14: ingest never loads less than it says. Each file here is small and built in the
// test, so the expected rows and sums are exact.
const HEADER =
  'BillingAccountId,BillingPeriodStart,ChargePeriodStart,BilledCost,EffectiveCost,ServiceName,ChargeDescription';

/** A FOCUS CSV with one row per description; row i costs i+1 dollars. */
function focus(descriptions: readonly string[], eol = '\r\n'): string {
  const rows = descriptions.map(
    (d, i) =>
      `acct-1,2026-01-01T00:00:00Z,2026-01-0${(i % 9) + 1}T00:00:00Z,${i + 1},${i + 1},Azure OpenAI,${d}`,
  );
  return [HEADER, ...rows].join(eol) + eol;
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tally-input-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function withStore<T>(fn: (s: CostStore) => Promise<T>): Promise<T> {
  const s = await openStore({ path: ':memory:' });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

const ingest = (s: CostStore, paths: string[], extra: Partial<Parameters<typeof ingestFiles>[1]> = {}) =>
  ingestFiles(s, { paths, cwd: dir, quarantineDir: join(dir, 'q'), ...extra });

async function descriptions(s: CostStore): Promise<string[]> {
  const rows = await duckdbSql(s).query(
    'SELECT "ChargeDescription" AS d FROM cost_rows ORDER BY "BilledCost"',
  );
  return rows.map((r) => String(r['d']));
}

const TEXT = ['Café Zürich', 'naïve – “quoted”', 'plain', 'Straße €5'];

describe('non-UTF-8 rows are never silently dropped', () => {
  const cases: [string, () => Buffer][] = [
    ['UTF-8 without a BOM', () => Buffer.from(focus(TEXT), 'utf8')],
    ['UTF-8 with a BOM', () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(focus(TEXT))])],
    [
      'UTF-16 LE with a BOM',
      () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(focus(TEXT), 'utf16le')]),
    ],
    [
      'UTF-16 BE with a BOM',
      () => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(focus(TEXT), 'utf16le').swap16()]),
    ],
    ['Windows-1252 (legacy Excel)', () => windows1252(focus(TEXT))],
  ];
  for (const [name, bytes] of cases)
    test(`a ${name} file loads every row with its text intact`, async () => {
      const file = join(dir, `enc-${name.replace(/\W+/g, '-')}.csv`);
      writeFileSync(file, bytes());
      await withStore(async (s) => {
        const r = await ingest(s, [file]);
        assert.equal(r.rowsLoaded, TEXT.length);
        assert.equal(r.rowsRejected, 0);
        assert.deepEqual(await descriptions(s), TEXT);
      });
    });

  test('a file mixing UTF-8 with invalid bytes is refused with the line numbers, and nothing loads', async () => {
    const file = join(dir, 'mixed.csv');
    const good = Buffer.from(focus(TEXT));
    // Line 4 (the third data row) gets a lone 0xFF byte: neither UTF-8 nor the rest of the file's encoding.
    const at = good.indexOf('plain');
    writeFileSync(file, Buffer.concat([good.subarray(0, at), Buffer.from([0xff]), good.subarray(at)]));
    await withStore(async (s) => {
      await assert.rejects(ingest(s, [file]), (err: unknown) => {
        assert.ok(err instanceof TallyError);
        assert.equal(err.code, 'invalid_input');
        assert.match(err.message, /line 4\b/);
        return true;
      });
      assert.deepEqual(await duckdbSql(s).query('SELECT count(*) AS n FROM cost_rows'), [{ n: 0 }]);
    });
  });
});

describe('file names are literal', () => {
  test('cost[1].csv loads its own rows, not cost1.csv', async () => {
    const sub = join(dir, 'brackets');
    mkdirSync(sub);
    writeFileSync(join(sub, 'cost[1].csv'), focus(['bracket file']));
    writeFileSync(join(sub, 'cost1.csv'), focus(['the other file', 'x', 'y']));
    await withStore(async (s) => {
      const r = await ingest(s, [join(sub, 'cost[1].csv')]);
      assert.equal(r.rowsLoaded, 1);
      assert.deepEqual(await descriptions(s), ['bracket file']);
    });
  });

  test('a file named a*.csv is read once and never pulls in ab.csv, alone or in its folder', async () => {
    const sub = join(dir, 'stars');
    mkdirSync(sub);
    writeFileSync(join(sub, 'a*.csv'), focus(['star']));
    writeFileSync(join(sub, 'ab.csv'), focus(['ab one', 'ab two']));
    writeFileSync(join(sub, 'a?{x}.csv'), focus(['question']));
    await withStore(async (s) => {
      assert.equal((await ingest(s, [join(sub, 'a*.csv')])).rowsLoaded, 1);
      assert.deepEqual(await descriptions(s), ['star']);
    });
    await withStore(async (s) => {
      const r = await ingest(s, [sub]);
      assert.equal(r.rowsLoaded, 4);
      assert.deepEqual((await descriptions(s)).sort(), ['ab one', 'ab two', 'question', 'star']);
    });
  });

  test('p[1].parquet loads its own rows, not p1.parquet', async () => {
    const sub = join(dir, 'parquet');
    mkdirSync(sub);
    await withStore(async (s) => {
      for (const [name, rows] of [
        ['p[1].parquet', ['bracket parquet']],
        ['p1.parquet', ['other', 'other 2']],
      ] as const) {
        const csv = join(sub, `${rows.length}.csv`);
        writeFileSync(csv, focus([...rows]));
        await duckdbSql(s).exec(
          `COPY (FROM read_csv('${csv}', all_varchar = true)) TO '${join(sub, name)}' (FORMAT parquet)`,
        );
        rmSync(csv);
      }
    });
    await withStore(async (s) => {
      assert.equal((await ingest(s, [join(sub, 'p[1].parquet')])).rowsLoaded, 1);
      assert.deepEqual(await descriptions(s), ['bracket parquet']);
    });
  });

  test('validate reads the literal file too', async () => {
    const sub = join(dir, 'validate');
    mkdirSync(sub);
    writeFileSync(join(sub, 'v[1].csv'), focus(['one']));
    writeFileSync(join(sub, 'v1.csv'), focus(['one', 'two', 'three']));
    assert.equal((await validateFile(join(sub, 'v[1].csv'))).rows, 1);
  });
});

describe('compressed input', () => {
  const many = Array.from({ length: 2000 }, (_, i) => `row ${i}`);

  test('a whole .csv.gz loads every row', async () => {
    const file = join(dir, 'whole.csv.gz');
    writeFileSync(file, gzipSync(focus(many)));
    await withStore(async (s) => assert.equal((await ingest(s, [file])).rowsLoaded, many.length));
  });

  test('a truncated .csv.gz fails with a clear error and loads nothing', async () => {
    const file = join(dir, 'truncated.csv.gz');
    const gz = gzipSync(focus(many));
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)));
    await withStore(async (s) => {
      await assert.rejects(ingest(s, [file]), (err: unknown) => {
        assert.ok(err instanceof TallyError);
        assert.equal(err.code, 'invalid_input');
        assert.match(err.message, /truncated\.csv\.gz.*(truncated|incomplete)/i);
        return true;
      });
      assert.deepEqual(await duckdbSql(s).query('SELECT count(*) AS n FROM cost_rows'), [{ n: 0 }]);
    });
  });

  test('a gzip bomb is refused by the decompression ratio cap before it fills the disk', async () => {
    const file = join(dir, 'bomb.csv.gz');
    // 64 MiB of one repeated row compresses ~1000x: past the default 200x ratio.
    const row = 'acct-1,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,1,1,Azure OpenAI,x\n';
    writeFileSync(
      file,
      gzipSync(HEADER + '\n' + row.repeat(Math.ceil((64 << 20) / row.length)), { level: 9 }),
    );
    await withStore(async (s) => {
      await assert.rejects(ingest(s, [file]), (err: unknown) => {
        assert.ok(err instanceof TallyError);
        assert.equal(err.code, 'payload_too_large');
        assert.match(err.message, /bomb\.csv\.gz.*ratio/);
        return true;
      });
    });
  });

  test('the decompressed size cap is configurable and refuses a file past it', async () => {
    const file = join(dir, 'big.csv.gz');
    writeFileSync(file, gzipSync(focus(many)));
    await withStore(async (s) => {
      await assert.rejects(
        ingest(s, [file], { limits: { maxDecompressedBytes: 10_000, maxDecompressionRatio: 1000 } }),
        (err: unknown) =>
          err instanceof TallyError &&
          err.code === 'payload_too_large' &&
          /10000 bytes|10 kB|10\.0 kB/.test(err.message),
      );
    });
  });
});

/** Encodes text as Windows-1252 (the characters used here only). */
function windows1252(text: string): Buffer {
  const map: Record<string, number> = { '€': 0x80, '–': 0x96, '“': 0x93, '”': 0x94 };
  return Buffer.from([...text].map((ch) => map[ch] ?? ch.charCodeAt(0)));
}
