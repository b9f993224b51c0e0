/**
 * Keys, users, sessions, audit log, incident states and kv metadata: PostgreSQL SQL and row mapping. Values
 * arrive JSON-safe (see _connect.ts getTypeParser): timestamps as ISO strings, JSONB as its text.
 */
import type { AuditEntry, IncidentState, Role, SessionRecord, UserRecord } from '../_access.js';
import type { Row, SqlParam, VirtualKeyRecord } from '../store.js';

type Query = (sql: string, params?: readonly SqlParam[]) => Promise<Row[]>;

const date = (v: unknown): Date => new Date(String(v));
const json = <T>(v: unknown, fallback: T): T =>
  typeof v === 'string' ? (JSON.parse(v) as T) : ((v as T | null) ?? fallback);
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function keyFromRow(r: Row): VirtualKeyRecord {
  return {
    id: String(r['id']),
    keyHash: String(r['key_hash']),
    keyPrefix: String(r['key_prefix']),
    team: str(r['team']),
    app: str(r['app']),
    environment: str(r['environment']),
    costCenter: str(r['cost_center']),
    tags: json<Record<string, string>>(r['tags'], {}),
    config: json<Record<string, unknown>>(r['config'], {}),
    status: r['status'] === 'revoked' ? 'revoked' : 'active',
    createdAt: date(r['created_at']),
    revokedAt: r['revoked_at'] ? date(r['revoked_at']) : null,
    replacedBy: str(r['replaced_by']),
  };
}

function userFromRow(r: Row): UserRecord {
  return {
    id: String(r['id']),
    name: String(r['name']),
    role: String(r['role']) as Role,
    teams: json<string[]>(r['teams'], []),
    tokenHash: String(r['token_hash']),
    tokenPrefix: String(r['token_prefix']),
    status: r['status'] === 'revoked' ? 'revoked' : 'active',
    createdAt: date(r['created_at']),
    revokedAt: r['revoked_at'] ? date(r['revoked_at']) : null,
  };
}

/** The record operations of CostStore over one query function (pool or transaction client). */
export function recordOps(query: Query) {
  const exec = async (sql: string, params?: readonly SqlParam[]) => {
    await query(sql, params);
  };
  return {
    async insertKey(k: VirtualKeyRecord): Promise<void> {
      await exec(
        `INSERT INTO virtual_keys (id, key_hash, key_prefix, team, app, environment, cost_center, tags, config,
           status, created_at, revoked_at, replaced_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
        [
          k.id,
          k.keyHash,
          k.keyPrefix,
          k.team,
          k.app,
          k.environment,
          k.costCenter,
          JSON.stringify(k.tags),
          JSON.stringify(k.config),
          k.status,
          k.createdAt,
          k.revokedAt,
          k.replacedBy,
        ],
      );
    },
    async findKey(column: 'key_hash' | 'id', value: string): Promise<VirtualKeyRecord | null> {
      const rows = await query(`SELECT * FROM virtual_keys WHERE ${column} = $1`, [value]);
      return rows[0] ? keyFromRow(rows[0]) : null;
    },
    async listKeys(): Promise<VirtualKeyRecord[]> {
      return (await query('SELECT * FROM virtual_keys ORDER BY created_at DESC, id')).map(keyFromRow);
    },
    async updateKey(
      id: string,
      patch: Partial<Pick<VirtualKeyRecord, 'status' | 'revokedAt' | 'replacedBy' | 'config'>>,
    ): Promise<void> {
      const sets: string[] = [];
      const params: SqlParam[] = [];
      const add = (col: string, v: SqlParam) => {
        params.push(v);
        sets.push(`${col} = $${params.length}`);
      };
      if (patch.status !== undefined) add('status', patch.status);
      if (patch.revokedAt !== undefined) add('revoked_at', patch.revokedAt);
      if (patch.replacedBy !== undefined) add('replaced_by', patch.replacedBy);
      if (patch.config !== undefined) add('config', JSON.stringify(patch.config));
      if (sets.length === 0) return;
      params.push(id);
      await exec(`UPDATE virtual_keys SET ${sets.join(', ')} WHERE id = $${params.length}`, params);
    },

    async insertUser(u: UserRecord): Promise<void> {
      await exec(
        `INSERT INTO users (id, name, role, teams, token_hash, token_prefix, status, created_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          u.id,
          u.name,
          u.role,
          JSON.stringify(u.teams),
          u.tokenHash,
          u.tokenPrefix,
          u.status,
          u.createdAt,
          u.revokedAt,
        ],
      );
    },
    async findUser(column: 'token_hash' | 'id', value: string): Promise<UserRecord | null> {
      const rows = await query(`SELECT * FROM users WHERE ${column} = $1`, [value]);
      return rows[0] ? userFromRow(rows[0]) : null;
    },
    async listUsers(): Promise<UserRecord[]> {
      return (await query('SELECT * FROM users ORDER BY created_at DESC, id')).map(userFromRow);
    },
    async revokeUser(id: string, at: Date): Promise<void> {
      // One statement, so a revoked user never keeps a session even for a moment.
      await exec(
        `WITH u AS (UPDATE users SET status = 'revoked', revoked_at = $1 WHERE id = $2)
         DELETE FROM sessions WHERE user_id = $2`,
        [at, id],
      );
    },
    async insertSession(s: SessionRecord): Promise<void> {
      await exec(
        'INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [s.idHash, s.userId, s.csrfToken, s.createdAt, s.expiresAt],
      );
    },
    async findSession(idHash: string, now: Date): Promise<SessionRecord | null> {
      const [r] = await query('SELECT * FROM sessions WHERE id_hash = $1 AND expires_at > $2', [idHash, now]);
      if (!r) return null;
      return {
        idHash: String(r['id_hash']),
        userId: String(r['user_id']),
        csrfToken: String(r['csrf_token']),
        createdAt: date(r['created_at']),
        expiresAt: date(r['expires_at']),
      };
    },
    async deleteSession(idHash: string, now: Date): Promise<void> {
      await exec('DELETE FROM sessions WHERE id_hash = $1 OR expires_at <= $2', [idHash, now]);
    },
    async appendAudit(e: AuditEntry): Promise<void> {
      await exec(
        'INSERT INTO audit_log (occurred_at, actor, action, target, details) VALUES ($1, $2, $3, $4, $5)',
        [e.at, e.actor, e.action, e.target, JSON.stringify(e.details)],
      );
    },
    async listAudit(opts: { limit: number; before?: Date | undefined }): Promise<AuditEntry[]> {
      const rows = await query(
        'SELECT * FROM audit_log WHERE occurred_at < $1 ORDER BY occurred_at DESC LIMIT $2',
        [opts.before ?? new Date('9999-01-01T00:00:00Z'), opts.limit],
      );
      return rows.map((r) => ({
        at: date(r['occurred_at']),
        actor: String(r['actor']),
        action: String(r['action']),
        target: str(r['target']),
        details: json<Record<string, unknown>>(r['details'], {}),
      }));
    },
    async setIncidentState(s: IncidentState): Promise<void> {
      await exec(
        `INSERT INTO incident_states (id, state, changed_by, changed_at, note) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, changed_by = EXCLUDED.changed_by,
           changed_at = EXCLUDED.changed_at, note = EXCLUDED.note`,
        [s.id, s.state, s.changedBy, s.changedAt, s.note],
      );
    },
    async getIncidentStates(ids: readonly string[]): Promise<Map<string, IncidentState>> {
      const out = new Map<string, IncidentState>();
      if (ids.length === 0) return out;
      const rows = await query('SELECT * FROM incident_states WHERE id = ANY($1::text[])', [
        // The driver sends a JS array as a PostgreSQL array literal.
        ids as unknown as SqlParam,
      ]);
      for (const r of rows)
        out.set(String(r['id']), {
          id: String(r['id']),
          state: String(r['state']) as IncidentState['state'],
          changedBy: String(r['changed_by']),
          changedAt: date(r['changed_at']),
          note: str(r['note']),
        });
      return out;
    },

    async getMeta(namespace: string, key: string): Promise<unknown> {
      const [r] = await query('SELECT value FROM kv WHERE namespace = $1 AND key = $2', [namespace, key]);
      const v = r?.['value'];
      return typeof v === 'string' ? (JSON.parse(v) as unknown) : (v ?? null);
    },
    async setMeta(namespace: string, key: string, value: unknown): Promise<void> {
      await exec(
        `INSERT INTO kv (namespace, key, value, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
        [namespace, key, JSON.stringify(value)],
      );
    },
  };
}
