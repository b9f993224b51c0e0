/** ledger: the UsageEvent and its durable append log, flushed in batches to the store. */
// UsageEvent is defined in the store (below the ledger, which writes it); the ledger's door re-exports it.
export {
  DEPLOYMENT_TYPES,
  makeUsageEvent,
  type CacheOutcome,
  type DeploymentType,
  type UsageEvent,
  type UsageSource,
} from '../store/index.js';
export { FLUSH_CHANNEL, Ledger, ledgerDirFor, type LedgerOptions } from './ledger.js';
export type { WalWrites } from './_wal-writer.js';
export { claimReplicaDir, type ClaimedDir } from './_claim.js';
export { encodeEvent, decodeEvent } from './_wal.js';
