/** A small priced usage event for the ledger's tests: `prefix-i`, one millisecond apart from 2026-01-01. */
import { makeUsageEvent, type UsageEvent } from '../store/index.js';

export const testEvent = (i: number, prefix = 'e', costNanos = 123n): UsageEvent =>
  makeUsageEvent({
    id: `${prefix}-${i}`,
    startTime: Date.UTC(2026, 0, 1) + i,
    model: 'gpt-4o-2024-08-06',
    team: 't',
    inputTokens: 10,
    outputTokens: 5,
    costNanos,
  });
