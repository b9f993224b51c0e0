/** The per-caller daily budget of `tally ask`: what each token spent on questions per UTC day, in the store's kv. */
import { nanosToDecimalString, parseUsd, type Nanos } from '../core/index.js';
import type { CostStore } from '../store/index.js';

const NAMESPACE = 'ask-spend';
const keyOf = (actor: string, at: Date) => `${actor}|${at.toISOString().slice(0, 10)}`;

/** What `actor` spent on questions on the UTC day of `at`. */
export async function askSpent(store: Pick<CostStore, 'getMeta'>, actor: string, at: Date): Promise<Nanos> {
  const v = await store.getMeta(NAMESPACE, keyOf(actor, at));
  return typeof v === 'string' ? parseUsd(v) : 0n;
}

/** Adds the cost of one question to `actor`'s day. */
export async function recordAskSpend(
  store: Pick<CostStore, 'getMeta' | 'setMeta'>,
  actor: string,
  at: Date,
  cost: Nanos,
): Promise<void> {
  const spent = await askSpent(store, actor, at);
  await store.setMeta(NAMESPACE, keyOf(actor, at), nanosToDecimalString(spent + cost));
}
