/**
 * Azure Cost Management actual/amortized exports (EA and MCA column sets) to FOCUS 1.2, the way Microsoft's
 * FOCUS conversion documents it: block sizes from UnitOfMeasure, exclusive billing-period ends (+1 day),
 * BilledCost 0 for commitment-covered usage in amortized data, unused commitments as Usage/Unused, refunds as
 * corrections, rounding adjustments as Adjustment. Which rows of actual vs amortized survive is decided at load.
 */
import type { SourceMapping } from './_stage.js';
import { headerKey, type IngestFormat } from './_detect.js';
import { ident, sqlNumber, sqlText, sqlTimestamp } from './_sql.js';

/** Legacy columns we turn into FOCUS columns directly (everything else lands in x_Extra). */
const ALIASES: Record<string, readonly string[]> = {
  billingAccountId: ['billingaccountid'],
  billingAccountName: ['billingaccountname'],
  periodStart: ['billingperiodstartdate', 'billingperiodstart'],
  periodEnd: ['billingperiodenddate', 'billingperiodend'],
  date: ['date', 'usagedatetime', 'usagedate'],
  cost: ['costinbillingcurrency', 'cost', 'pretaxcost'],
  paygCost: ['paygcostinbillingcurrency'],
  currency: ['billingcurrency', 'billingcurrencycode', 'currency'],
  // With ExchangeRatePricingToBilling (kept in x_Extra), what reports convert a non-USD bill with (ADR 0030).
  pricingCurrency: ['pricingcurrency', 'pricingcurrencycode'],
  quantity: ['quantity', 'consumedquantity'],
  unitPrice: ['unitprice'],
  effectivePrice: ['effectiveprice'],
  paygPrice: ['paygprice'],
  unit: ['unitofmeasure'],
  chargeType: ['chargetype'],
  frequency: ['frequency'],
  pricingModel: ['pricingmodel'],
  product: ['productname', 'product'],
  productId: ['productid'],
  meterCategory: ['metercategory'],
  meterSubcategory: ['metersubcategory'],
  meterName: ['metername'],
  meterRegion: ['meterregion'],
  location: ['resourcelocation', 'resourcelocationnormalized'],
  zone: ['availabilityzone'],
  consumedService: ['consumedservice'],
  resourceId: ['resourceid', 'instanceid', 'instancename'],
  resourceName: ['resourcename'],
  subscriptionId: ['subscriptionid'],
  subscriptionName: ['subscriptionname'],
  tags: ['tags'],
  reservationId: ['benefitid', 'reservationid'],
  reservationName: ['benefitname', 'reservationname'],
  publisher: ['publishername'],
  invoiceId: ['invoiceid'],
};

type Field = keyof typeof ALIASES;

/** Maps an Azure legacy export's staged columns to FOCUS. `staged` maps header key -> staged column name. */
export function azureMapping(
  headers: readonly string[],
  format: IngestFormat,
  decimalComma = false,
): SourceMapping {
  const byKey = new Map<string, string>();
  headers.forEach((h, i) => {
    if (!byKey.has(headerKey(h))) byKey.set(headerKey(h), `c${i}`);
  });
  const used = new Set<string>();
  const col = (f: Field): string | null => {
    for (const k of ALIASES[f]!) {
      const c = byKey.get(k);
      if (c) {
        used.add(c);
        return ident(c);
      }
    }
    return null;
  };
  const txt = (f: Field) => {
    const c = col(f);
    return c ? sqlText(c) : 'CAST(NULL AS VARCHAR)';
  };
  const num = (f: Field) => sqlNumber(txt(f), 'quantity', decimalComma);
  const ts = (f: Field) => sqlTimestamp(txt(f));
  const iso = (e: string) => `strftime(${e}, '%Y-%m-%dT%H:%M:%SZ')`;
  const str = (e: string) => `CAST(${e} AS VARCHAR)`;

  const chargeType = txt('chargeType');
  const pricingModel = txt('pricingModel');
  const unit = txt('unit');
  const committed = `${pricingModel} IN ('Reservation', 'SavingsPlan')`;
  const covered = `(${chargeType} = 'Usage' AND ${committed})`;
  const amortized = format === 'azure-amortized';
  const cost = num('cost');
  // Block size from UnitOfMeasure: "10K" -> 10000, "1M" -> 1e6, "100 Hours" -> 100, "1/Hour" -> 1.
  const blockNum = `coalesce(TRY_CAST(regexp_extract(${unit}, '^\\s*([0-9.]+)', 1) AS DECIMAL(38,10)), 1)`;
  const blockMul = `CASE upper(regexp_extract(${unit}, '^\\s*[0-9.]+\\s*([KkMm])(\\s|$)', 1)) WHEN 'K' THEN 1000 WHEN 'M' THEN 1000000 ELSE 1 END`;
  const block = `(${blockNum} * ${blockMul})`;
  const unitRest = `trim(regexp_replace(${unit}, '^\\s*[0-9.]+\\s*[KkMm]?(\\s|$)', ''))`;
  const pricingUnit = `CASE WHEN ${unit} IS NULL THEN NULL WHEN ${unitRest} = '' THEN 'Units' WHEN starts_with(${unitRest}, '/') THEN 'Units' || ${unitRest} WHEN ${unitRest} IN ('Hour', 'Day', 'Month', 'Year', 'Minute', 'Second') THEN ${unitRest} || 's' ELSE ${unitRest} END`;
  const qty = num('quantity');
  const category = `CASE ${chargeType} WHEN 'Purchase' THEN 'Purchase' WHEN 'Refund' THEN 'Purchase' WHEN 'Tax' THEN 'Tax' WHEN 'Credit' THEN 'Credit' WHEN 'RoundingAdjustment' THEN 'Adjustment' WHEN 'Adjustment' THEN 'Adjustment' ELSE 'Usage' END`;
  const unused = `${chargeType} IN ('UnusedReservation', 'UnusedSavingsPlan')`;
  const rid = `lower(${txt('resourceId')})`;
  const armType = `nullif(lower(regexp_extract(${rid}, '/providers/([^/]+/[^/]+)', 1)), '')`;
  const meterCat = txt('meterCategory');
  const serviceCategory = `CASE
    WHEN regexp_matches(lower(coalesce(${meterCat}, '') || ' ' || coalesce(${txt('consumedService')}, '')), 'search') THEN 'Analytics'
    WHEN regexp_matches(lower(coalesce(${meterCat}, '') || ' ' || coalesce(${txt('consumedService')}, '')), 'cognitive|openai|foundry|machine ?learning|bot service|ai services') THEN 'AI and Machine Learning'
    WHEN regexp_matches(lower(${meterCat}), 'app service|functions|static web') THEN 'Web'
    WHEN regexp_matches(lower(${meterCat}), 'virtual machine|compute|container|kubernetes|batch|cloud services') THEN 'Compute'
    WHEN regexp_matches(lower(${meterCat}), 'storage|backup|data box|netapp') THEN 'Storage'
    WHEN regexp_matches(lower(${meterCat}), 'sql|database|cosmos|redis|mysql|postgres|mariadb') THEN 'Databases'
    WHEN regexp_matches(lower(${meterCat}), 'bandwidth|network|load balancer|dns|vpn|expressroute|cdn|front door|firewall|gateway|traffic manager|ip address') THEN 'Networking'
    WHEN regexp_matches(lower(${meterCat}), 'log analytics|monitor|insight|automation|backup|advisor|policy') THEN 'Management and Governance'
    WHEN regexp_matches(lower(${meterCat}), 'security|defender|threat|sentinel|key vault') THEN 'Security'
    WHEN regexp_matches(lower(${meterCat}), 'data factory|synapse|databricks|event hub|stream analytics|hdinsight|analytics|fabric') THEN 'Analytics'
    WHEN regexp_matches(lower(${meterCat}), 'service bus|logic apps|api management|event grid') THEN 'Integration'
    ELSE 'Other' END`;

  const columns = new Map<string, string>([
    ['BillingAccountId', txt('billingAccountId')],
    ['BillingAccountName', txt('billingAccountName')],
    ['BillingCurrency', txt('currency')],
    ['PricingCurrency', txt('pricingCurrency')],
    ['BillingPeriodStart', iso(`date_trunc('day', ${ts('periodStart')})`)],
    // FOCUS period ends are exclusive: Azure's inclusive end date + 1 day.
    ['BillingPeriodEnd', iso(`date_trunc('day', ${ts('periodEnd')}) + INTERVAL 1 DAY`)],
    ['ChargePeriodStart', iso(ts('date'))],
    ['ChargePeriodEnd', iso(`${ts('date')} + INTERVAL 1 DAY`)],
    ['ChargeCategory', category],
    ['ChargeClass', `CASE WHEN ${chargeType} = 'Refund' THEN 'Correction' END`],
    ['ChargeDescription', txt('product')],
    [
      'ChargeFrequency',
      `CASE ${txt('frequency')} WHEN 'OneTime' THEN 'One-Time' WHEN 'Recurring' THEN 'Recurring' WHEN 'UsageBased' THEN 'Usage-Based' ELSE CASE WHEN ${category} = 'Purchase' THEN 'One-Time' ELSE 'Usage-Based' END END`,
    ],
    // Commitment-covered usage was paid by the purchase: billed 0 in amortized data.
    ['BilledCost', amortized ? str(`CASE WHEN ${covered} OR ${unused} THEN 0 ELSE ${cost} END`) : str(cost)],
    ['EffectiveCost', str(cost)],
    ['ContractedCost', str(`coalesce(${num('unitPrice')} * ${qty}, ${cost})`)],
    [
      'ListCost',
      str(
        `coalesce(${num('paygCost')}, CASE WHEN ${num('paygPrice')} > 0 THEN ${num('paygPrice')} * ${qty} END, coalesce(${num('unitPrice')} * ${qty}, ${cost}))`,
      ),
    ],
    ['ContractedUnitPrice', str(`${num('unitPrice')} * ${block}`)],
    ['ListUnitPrice', str(`${num('paygPrice')} * ${block}`)],
    ['PricingQuantity', str(`${qty} / ${block}`)],
    ['PricingUnit', pricingUnit],
    ['ConsumedQuantity', str(`CASE WHEN ${category} = 'Usage' AND NOT ${unused} THEN ${qty} END`)],
    ['ConsumedUnit', `CASE WHEN ${category} = 'Usage' AND NOT ${unused} THEN ${unit} END`],
    [
      'PricingCategory',
      `CASE WHEN ${committed} THEN 'Committed' WHEN ${pricingModel} = 'Spot' THEN 'Dynamic' ELSE 'Standard' END`,
    ],
    ['CommitmentDiscountId', txt('reservationId')],
    ['CommitmentDiscountName', txt('reservationName')],
    [
      'CommitmentDiscountCategory',
      `CASE ${pricingModel} WHEN 'Reservation' THEN 'Usage' WHEN 'SavingsPlan' THEN 'Spend' END`,
    ],
    [
      'CommitmentDiscountType',
      `CASE ${pricingModel} WHEN 'Reservation' THEN 'Reservation' WHEN 'SavingsPlan' THEN 'Savings Plan' END`,
    ],
    ['CommitmentDiscountStatus', `CASE WHEN ${unused} THEN 'Unused' WHEN ${covered} THEN 'Used' END`],
    ['InvoiceId', txt('invoiceId')],
    ['InvoiceIssuerName', `'Microsoft'`],
    ['ProviderName', `'Microsoft'`],
    ['PublisherName', `coalesce(${txt('publisher')}, 'Microsoft')`],
    ['RegionId', `lower(replace(${txt('location')}, ' ', ''))`],
    ['RegionName', txt('location')],
    ['AvailabilityZone', txt('zone')],
    ['ResourceId', rid],
    ['ResourceName', txt('resourceName')],
    ['ResourceType', armType],
    ['ServiceCategory', serviceCategory],
    ['ServiceName', `coalesce(${meterCat}, ${txt('consumedService')})`],
    ['SkuId', txt('productId')],
    ['SkuMeter', txt('meterName')],
    ['SubAccountId', txt('subscriptionId')],
    ['SubAccountName', txt('subscriptionName')],
    ['SubAccountType', `CASE WHEN ${txt('subscriptionId')} IS NOT NULL THEN 'Subscription' END`],
    ['Tags', txt('tags')],
  ]);
  const extras: [string, string][] = [
    ['x_SkuMeterCategory', meterCat],
    ['x_SkuMeterSubcategory', txt('meterSubcategory')],
    ['x_PricingUnitDescription', unit],
    ['x_PricingBlockSize', str(block)],
    ['x_ChargeType', chargeType],
    ['x_PricingModel', pricingModel],
  ];
  headers.forEach((h, i) => {
    const staged = `c${i}`;
    if (!used.has(staged) && !/^x_/i.test(h)) extras.push([`x_${h.replace(/\s+/g, '')}`, ident(staged)]);
  });
  return {
    columns,
    extras,
    checks: [
      { label: 'Cost', raw: col('cost') ?? 'CAST(NULL AS VARCHAR)', type: 'money' },
      { label: 'Quantity', raw: col('quantity') ?? 'CAST(NULL AS VARCHAR)', type: 'quantity' },
      { label: 'Date', raw: col('date') ?? 'CAST(NULL AS VARCHAR)', type: 'datetime' },
    ],
    keys: { resourceType: armType, meterCategory: meterCat, meterSubcategory: txt('meterSubcategory') },
  };
}
