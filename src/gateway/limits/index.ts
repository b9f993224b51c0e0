/** gateway/limits: TPM limits, token quotas and USD budgets with reserve → settle, behind a LimitStore interface. */
export type {
  LimitStore,
  LimitCheck,
  LimitKind,
  Reservation,
  ReserveResult,
  ReserveGranted,
  ReserveRefused,
  ActualUse,
  CounterState,
} from './limit-store.js';
export { MemoryLimitStore } from './memory.js';
export { RedisLimitStore, type RedisLimitOptions } from './redis.js';
export { connectRedis, where as redisWhere, type RedisConnectOptions } from './_redis-conn.js';
export {
  buildLimitChecks,
  keyLimitSpec,
  keyLimitSpecSchema,
  windowCounterId,
  type LimitsConfig,
  type LimitSpec,
  type LimitSubject,
  type WorstCase,
  type ScopeKind,
} from './checks.js';
export { admitRequest, refusalError, type Admitted, type Refused } from './admission.js';
export { seedLimitsFromStore } from './_seed.js';
export { promptTokenBound, DEFAULT_MEDIA, type MediaBounds } from './prompt-bound.js';
export { periodWindow, PERIODS, type Period } from './_periods.js';
export { withHardBudgets } from './_budgets.js';
