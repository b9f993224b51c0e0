/**
 * Virtual keys: created with a random 192-bit secret shown once, stored only as a SHA-256 hash (looked up by
 * hash with parameterised SQL, so nothing in an auth header ever reaches SQL text), revoked or rotated by id.
 */
import * as crypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { newId, sections, TallyError } from '../core/index.js';
import type { CostStore, VirtualKeyRecord } from '../store/index.js';

/** Prefix of every Tally virtual key (lets secret scanners recognise a leaked one). */
export const KEY_PREFIX = 'tally-sk-';

/** Limits and allowances a key may carry (stored in its `config`; enforced by the gateway and governance). */
export interface KeyLimits {
  allowedModels?: string[];
  /** Tokens per minute. */
  tpm?: number;
  quota?: { tokens: number; period: 'hour' | 'day' | 'month' };
  /** `usd` is exact: a decimal string as given (`"200.10"`), or a number from keys made before it was. */
  budget?: { usd: number | string; period: 'day' | 'week' | 'month'; hard: boolean };
}

/** What a new key maps to. */
export interface KeySpec extends KeyLimits {
  team?: string | undefined;
  app?: string | undefined;
  environment?: string | undefined;
  costCenter?: string | undefined;
  tags?: Record<string, string>;
}

/** Schema of a KeySpec arriving over the admin API. */
export const keySpecSchema = z.strictObject({
  team: z.string().max(200).optional(),
  app: z.string().max(200).optional(),
  environment: z.string().max(200).optional(),
  costCenter: z.string().max(200).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  allowedModels: z.array(z.string()).optional(),
  tpm: z.number().int().positive().optional(),
  quota: z
    .strictObject({ tokens: z.number().int().positive(), period: z.enum(['hour', 'day', 'month']) })
    .optional(),
  budget: z
    .strictObject({
      usd: sections.usdAmount,
      period: z.enum(['day', 'week', 'month']),
      hard: z.boolean(),
    })
    .optional(),
});

/** SHA-256 (hex) of a key secret: the only form stored. */
export function hashKey(secret: string): string {
  // One-shot crypto.hash (Node >= 20.12) is ~5x cheaper than a Hash object; this runs on every request.
  return oneShot ? oneShot('sha256', secret, 'hex') : createHash('sha256').update(secret).digest('hex');
}
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

/** A display-safe hint of a key: prefix plus last 4 characters. */
export function keyHint(secret: string): string {
  return `${secret.slice(0, KEY_PREFIX.length + 4)}…${secret.slice(-4)}`;
}

function limitsOf(spec: KeyLimits): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  if (spec.allowedModels?.length) c['allowedModels'] = spec.allowedModels;
  if (spec.tpm !== undefined) c['tpm'] = spec.tpm;
  if (spec.quota) c['quota'] = spec.quota;
  if (spec.budget) c['budget'] = spec.budget;
  return c;
}

/** Creates a key; returns its record and the secret (the only time the secret exists outside the client). */
export async function createKey(
  store: CostStore,
  spec: KeySpec,
  now = new Date(),
): Promise<{ record: VirtualKeyRecord; key: string }> {
  const key = KEY_PREFIX + randomBytes(24).toString('base64url');
  const record: VirtualKeyRecord = {
    id: `key_${newId(now.getTime()).replace(/-/g, '')}`,
    keyHash: hashKey(key),
    keyPrefix: keyHint(key),
    team: spec.team ?? null,
    app: spec.app ?? null,
    environment: spec.environment ?? null,
    costCenter: spec.costCenter ?? null,
    tags: spec.tags ?? {},
    config: limitsOf(spec),
    status: 'active',
    createdAt: now,
    revokedAt: null,
    replacedBy: null,
  };
  await store.insertKey(record);
  return { record, key };
}

async function mustFind(store: CostStore, id: string): Promise<VirtualKeyRecord> {
  const rec = await store.findKeyById(id);
  if (!rec) throw new TallyError('not_found', `no key with id "${id}"`, { id });
  return rec;
}

/** Revokes a key by id (idempotent). */
export async function revokeKey(store: CostStore, id: string, now = new Date()): Promise<VirtualKeyRecord> {
  const rec = await mustFind(store, id);
  if (rec.status === 'revoked') return rec;
  await store.updateKey(id, { status: 'revoked', revokedAt: now });
  return { ...rec, status: 'revoked', revokedAt: now };
}

/** Rotates a key: a new secret with the same attributes; the old key is revoked and points at the new one. */
export async function rotateKey(
  store: CostStore,
  id: string,
  now = new Date(),
): Promise<{ record: VirtualKeyRecord; key: string; replaced: string }> {
  const old = await mustFind(store, id);
  if (old.status === 'revoked')
    throw new TallyError('conflict', `key "${id}" is revoked; create a new one`, { id });
  const spec: KeySpec = {
    team: old.team ?? undefined,
    app: old.app ?? undefined,
    environment: old.environment ?? undefined,
    costCenter: old.costCenter ?? undefined,
    tags: old.tags,
    ...(old.config as KeyLimits),
  };
  const fresh = await store.transaction(async (tx) => {
    const made = await createKey(tx, spec, now);
    await tx.updateKey(id, { status: 'revoked', revokedAt: now, replacedBy: made.record.id });
    return made;
  });
  return { ...fresh, replaced: id };
}

/** The safe public view of a key record (never the hash). */
export function keyView(r: VirtualKeyRecord): Record<string, unknown> {
  return {
    id: r.id,
    hint: r.keyPrefix,
    team: r.team,
    app: r.app,
    environment: r.environment,
    costCenter: r.costCenter,
    tags: r.tags,
    ...r.config,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
    revokedAt: r.revokedAt?.toISOString() ?? null,
    replacedBy: r.replacedBy,
  };
}

/**
 * Looks keys up by hash with a short-lived cache (positive and negative) so auth costs no DB trip per request.
 * An expired entry is served while one background lookup refreshes it (stale-while-revalidate), and concurrent
 * lookups of the same unknown hash share one query: a refresh never stalls the requests of a busy key behind
 * a ledger flush on the store's connection.
 */
export class KeyResolver {
  private readonly cache = new Map<string, { rec: VirtualKeyRecord | null; until: number }>();
  private readonly inflight = new Map<string, Promise<VirtualKeyRecord | null>>();

  /** @param ttlMs how long a lookup is trusted; revocations through the admin API clear it at once. */
  constructor(
    private readonly store: CostStore,
    private readonly ttlMs = 5_000,
  ) {}

  /** The active key for a secret, or null. */
  async resolve(secret: string): Promise<VirtualKeyRecord | null> {
    return this.resolveNow(secret);
  }

  /**
   * The key for a secret when the cache knows it (null: known not to be an active key), or a promise of the
   * lookup otherwise: the common case answers without a promise. Stale entries answer and refresh behind.
   */
  resolveNow(secret: string): VirtualKeyRecord | null | Promise<VirtualKeyRecord | null> {
    const hash = hashKey(secret);
    const hit = this.cache.get(hash);
    if (!hit) return this.lookup(hash);
    if (hit.until <= Date.now()) void this.lookup(hash).catch(() => undefined);
    return hit.rec;
  }

  private lookup(hash: string): Promise<VirtualKeyRecord | null> {
    let p = this.inflight.get(hash);
    if (p) return p;
    p = this.store
      .findKeyByHash(hash)
      .then((rec) => {
        const active = rec && rec.status === 'active' ? rec : null;
        // Bound memory against floods of random keys: drop the oldest entries past 50k.
        if (this.cache.size >= 50_000) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(hash, { rec: active, until: Date.now() + this.ttlMs });
        return active;
      })
      .finally(() => this.inflight.delete(hash));
    this.inflight.set(hash, p);
    return p;
  }

  /** Forgets every cached lookup (after a create/revoke/rotate through the running gateway). */
  clear(): void {
    this.cache.clear();
  }
}
