/**
 * The FOCUS 1.2 conformance rules that matter for analysis, written from the rule model (focus_validator's
 * model-1.2.json, MIT): rule ids are the model's. Each check is a predicate over one column's text.
 */
import { FOCUS_SERVICE_CATEGORIES } from '../store/index.js';

/** Mandatory columns and their presence rule ids (CostAndUsage-D-*). */
export const MANDATORY_COLUMNS: Record<string, string> = {
  BilledCost: 'CostAndUsage-D-006-M',
  BillingAccountId: 'CostAndUsage-D-024-M',
  BillingAccountName: 'CostAndUsage-D-005-M',
  BillingCurrency: 'CostAndUsage-D-035-M',
  BillingPeriodEnd: 'CostAndUsage-D-010-M',
  BillingPeriodStart: 'CostAndUsage-D-009-M',
  ChargeCategory: 'CostAndUsage-D-008-M',
  ChargeClass: 'CostAndUsage-D-026-M',
  ChargeDescription: 'CostAndUsage-D-025-M',
  ChargePeriodEnd: 'CostAndUsage-D-028-M',
  ChargePeriodStart: 'CostAndUsage-D-037-M',
  ContractedCost: 'CostAndUsage-D-030-M',
  EffectiveCost: 'CostAndUsage-D-031-M',
  InvoiceIssuerName: 'CostAndUsage-D-023-M',
  ListCost: 'CostAndUsage-D-032-M',
  PricingQuantity: 'CostAndUsage-D-036-M',
  PricingUnit: 'CostAndUsage-D-068-M',
  ProviderName: 'CostAndUsage-D-038-M',
  PublisherName: 'CostAndUsage-D-021-M',
  ServiceCategory: 'CostAndUsage-D-040-M',
  ServiceName: 'CostAndUsage-D-041-M',
};

/** Recommended columns (a warning when absent). */
export const RECOMMENDED_COLUMNS: Record<string, string> = {
  AvailabilityZone: 'CostAndUsage-D-003-C',
  ChargeFrequency: 'CostAndUsage-D-027-O',
  InvoiceId: 'CostAndUsage-D-033-O',
  ServiceSubcategory: 'CostAndUsage-D-042-O',
};

/** Decimal columns and their NumericFormat rule ids. */
export const NUMERIC_RULES: Record<string, string> = {
  BilledCost: 'BilledCost-C-002-M',
  CommitmentDiscountQuantity: 'CommitmentDiscountQuantity-C-002-M',
  ConsumedQuantity: 'ConsumedQuantity-C-002-M',
  ContractedCost: 'ContractedCost-C-002-M',
  ContractedUnitPrice: 'ContractedUnitPrice-C-003-M',
  EffectiveCost: 'EffectiveCost-C-002-M',
  ListCost: 'ListCost-C-002-M',
  ListUnitPrice: 'ListUnitPrice-C-002-M',
  PricingCurrencyContractedUnitPrice: 'PricingCurrencyContractedUnitPrice-C-002-M',
  PricingCurrencyEffectiveCost: 'PricingCurrencyEffectiveCost-C-002-M',
  PricingCurrencyListUnitPrice: 'PricingCurrencyListUnitPrice-C-002-M',
  PricingQuantity: 'PricingQuantity-C-002-M',
};

/** Date/time columns and their DateTimeFormat rule ids. */
export const DATETIME_RULES: Record<string, string> = {
  BillingPeriodEnd: 'BillingPeriodEnd-C-002-M',
  BillingPeriodStart: 'BillingPeriodStart-C-002-M',
  ChargePeriodEnd: 'ChargePeriodEnd-C-002-M',
  ChargePeriodStart: 'ChargePeriodStart-C-002-M',
};

/** Columns that must not be null, with rule ids. */
export const NOT_NULL_RULES: Record<string, string> = {
  BilledCost: 'BilledCost-C-003-M',
  BillingAccountId: 'BillingAccountId-C-001-M',
  BillingCurrency: 'BillingCurrency-C-004-M',
  BillingPeriodEnd: 'BillingPeriodEnd-C-003-M',
  BillingPeriodStart: 'BillingPeriodStart-C-003-M',
  ChargeCategory: 'ChargeCategory-C-002-M',
  ChargeFrequency: 'ChargeFrequency-C-002-M',
  ChargePeriodEnd: 'ChargePeriodEnd-C-003-M',
  ChargePeriodStart: 'ChargePeriodStart-C-003-M',
  ContractedCost: 'ContractedCost-C-004-M',
  EffectiveCost: 'EffectiveCost-C-004-M',
  InvoiceIssuerName: 'InvoiceIssuerName-C-003-M',
  ListCost: 'ListCost-C-004-M',
  ProviderName: 'ProviderName-C-003-M',
  PublisherName: 'PublisherName-C-003-M',
  ServiceCategory: 'ServiceCategory-C-002-M',
  ServiceName: 'ServiceName-C-003-M',
};

/** Enumerated columns: rule id and allowed values. */
export const ALLOWED_VALUES: Record<string, { rule: string; values: readonly string[] }> = {
  ChargeCategory: {
    rule: 'ChargeCategory-C-003-M',
    values: ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'],
  },
  ChargeClass: { rule: 'ChargeClass-C-005-C', values: ['Correction'] },
  ChargeFrequency: { rule: 'ChargeFrequency-C-003-M', values: ['One-Time', 'Recurring', 'Usage-Based'] },
  PricingCategory: { rule: 'PricingCategory-C-007-M', values: ['Standard', 'Committed', 'Dynamic', 'Other'] },
  CommitmentDiscountCategory: { rule: 'CommitmentDiscountCategory-C-005-M', values: ['Spend', 'Usage'] },
  CapacityReservationStatus: { rule: 'CapacityReservationStatus-C-006-M', values: ['Used', 'Unused'] },
  ServiceCategory: {
    rule: 'ServiceCategory-C-003-M',
    values: FOCUS_SERVICE_CATEGORIES,
  },
};

/** Currency columns (ISO 4217 three-letter codes) and their CurrencyFormat rule ids. */
export const CURRENCY_RULES: Record<string, string> = {
  BillingCurrency: 'BillingCurrency-C-003-M',
  PricingCurrency: 'PricingCurrency-C-003-M',
};

/** JSON key-value columns and their KeyValueFormat rule ids. */
export const KEY_VALUE_RULES: Record<string, string> = {
  Tags: 'Tags-C-001-M',
  SkuPriceDetails: 'SkuPriceDetails-C-001-M',
};
