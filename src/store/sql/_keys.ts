/** Virtual-key rows: portable SQL and row mapping. */
import type { Row, SqlParam, VirtualKeyRecord } from '../store.js';

/** Insert statement for a key record. */
export const KEY_INSERT_SQL = `INSERT INTO virtual_keys
  (id, key_hash, key_prefix, team, app, environment, cost_center, tags, config, status, created_at, revoked_at, replaced_by)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`;

/** Parameters for KEY_INSERT_SQL. */
export function keyInsertParams(r: VirtualKeyRecord): SqlParam[] {
  return [
    r.id,
    r.keyHash,
    r.keyPrefix,
    r.team,
    r.app,
    r.environment,
    r.costCenter,
    JSON.stringify(r.tags),
    JSON.stringify(r.config),
    r.status,
    r.createdAt,
    r.revokedAt,
    r.replacedBy,
  ];
}

const parseJson = (v: unknown): Record<string, unknown> =>
  typeof v === 'string'
    ? (JSON.parse(v) as Record<string, unknown>)
    : ((v as Record<string, unknown> | null) ?? {});
const s = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Maps a virtual_keys row (JSON-safe values) to a record. */
export function keyFromRow(r: Row): VirtualKeyRecord {
  return {
    id: String(r['id']),
    keyHash: String(r['key_hash']),
    keyPrefix: String(r['key_prefix']),
    team: s(r['team']),
    app: s(r['app']),
    environment: s(r['environment']),
    costCenter: s(r['cost_center']),
    tags: parseJson(r['tags']) as Record<string, string>,
    config: parseJson(r['config']),
    status: r['status'] === 'revoked' ? 'revoked' : 'active',
    createdAt: new Date(String(r['created_at'])),
    revokedAt: r['revoked_at'] ? new Date(String(r['revoked_at'])) : null,
    replacedBy: s(r['replaced_by']),
  };
}
