/** Shared fixtures for the ingest CLI tests: a small FOCUS 1.2 CSV and exact expected sums. */
/** Columns of the fixture file. */
export const HEADER = [
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'BilledCost',
  'EffectiveCost',
  'ListCost',
  'ContractedCost',
  'ConsumedQuantity',
  'ConsumedUnit',
  'PricingQuantity',
  'PricingUnit',
  'InvoiceIssuerName',
  'ProviderName',
  'PublisherName',
  'ServiceCategory',
  'ServiceName',
  'SkuMeter',
  'Tags',
  'x_SkuMeterCategory',
];
/** One fixture cost line. */
export interface Line {
  cat: string;
  service: string;
  meter: string;
  billed: string;
  effective: string;
  list: string;
  day: number;
  mcat: string;
}
/** The fixture cost lines (AI tokens, PTU, VM, storage). */
export const LINES: Line[] = [
  {
    cat: 'AI and Machine Learning',
    service: 'Azure OpenAI',
    meter: 'gpt-4o-mini-0718-Inp-glbl Tokens',
    billed: '1.250000001',
    effective: '1.2',
    list: '1.5',
    day: 1,
    mcat: 'Cognitive Services',
  },
  {
    cat: 'AI and Machine Learning',
    service: 'Azure OpenAI',
    meter: 'gpt-4o-mini-0718-Outp-glbl Tokens',
    billed: '2.5',
    effective: '2.5',
    list: '3',
    day: 2,
    mcat: 'Cognitive Services',
  },
  {
    cat: 'AI and Machine Learning',
    service: 'Azure OpenAI',
    meter: 'gpt 4o 0513 Output global Tokens',
    billed: '10',
    effective: '9.75',
    list: '12',
    day: 3,
    mcat: 'Foundry Models',
  },
  {
    cat: 'AI and Machine Learning',
    service: 'Azure OpenAI',
    meter: 'Provisioned Managed Global Unit',
    billed: '100',
    effective: '100',
    list: '100',
    day: 4,
    mcat: 'Foundry Models',
  },
  {
    cat: 'Compute',
    service: 'Virtual Machines',
    meter: 'D2 v3',
    billed: '3.333333333',
    effective: '3.333333333',
    list: '4',
    day: 5,
    mcat: 'Virtual Machines',
  },
  {
    cat: 'Storage',
    service: 'Storage',
    meter: 'Hot LRS Data Stored',
    billed: '0.1',
    effective: '0.1',
    list: '0.1',
    day: 6,
    mcat: 'Storage',
  },
];

/** A FOCUS CSV of the lines for one month, costs optionally scaled. */
export function focusCsv(lines: Line[], opts: { month?: string; scale?: number } = {}): string {
  const m = opts.month ?? '2026-01';
  const rows = lines.map((l) => {
    const d = `${m}-${String(l.day).padStart(2, '0')}`;
    const mul = (v: string) => (opts.scale ? String(Number(v) * opts.scale) : v);
    return [
      'acct-1',
      'Contoso',
      'USD',
      `${m}-01T00:00:00Z`,
      `${m}-28T00:00:00Z`,
      'Usage',
      '',
      'desc',
      'Usage-Based',
      `${d}T00:00:00Z`,
      `${d}T01:00:00Z`,
      mul(l.billed),
      mul(l.effective),
      mul(l.list),
      mul(l.effective),
      '1',
      'Units',
      '1',
      'Units',
      'Microsoft',
      'Microsoft',
      'Microsoft',
      l.cat,
      l.service,
      l.meter,
      '"{""team"":""a""}"',
      l.mcat,
    ].join(',');
  });
  return [HEADER.join(','), ...rows].join('\n') + '\n';
}

/** Exact sum of decimal strings in nanos, then dollars for comparison with JSON output. */
export const usd = (vals: string[]) => {
  let n = 0n;
  for (const v of vals) {
    const [i, f = ''] = v.split('.');
    n += BigInt(i!) * 1_000_000_000n + BigInt((f + '000000000').slice(0, 9));
  }
  return Number(n) / 1e9;
};

/** One row of `tally costs --json`. */
export type CostRow = Record<string, unknown> & {
  currency: string | null;
  billedCost: string;
  effectiveCost: string;
  listCost: string;
};

/** The exact sum of decimal texts as the costs report prints it (exact text, no trailing zeros). */
export const usdText = (vals: string[]) => {
  let n = 0n;
  for (const v of vals) {
    const [i, f = ''] = v.split('.');
    n += BigInt(i!) * 1_000_000_000n + BigInt((f + '000000000').slice(0, 9));
  }
  const s = n.toString().padStart(10, '0');
  const frac = s.slice(-9).replace(/0+$/, '');
  return s.slice(0, -9) + (frac ? `.${frac}` : '');
};
