/** Users, sessions, audit log and incident states: portable SQL and row mapping for every SQL backend. */
import type { AuditEntry, IncidentState, Role, SessionRecord, UserRecord } from '../_access.js';
import type { Row, SqlParam } from '../store.js';

type Query = (sql: string, params?: readonly SqlParam[]) => Promise<Row[]>;
type Exec = (sql: string, params?: readonly SqlParam[]) => Promise<void>;

const date = (v: unknown): Date => new Date(String(v));
const json = <T>(v: unknown, fallback: T): T =>
  typeof v === 'string' ? (JSON.parse(v) as T) : ((v as T | null) ?? fallback);

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

/** The access-layer operations over a query/exec pair (one connection, parameterised SQL only). */
export function accessOps(query: Query, exec: Exec) {
  return {
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
    async findUserByTokenHash(hash: string): Promise<UserRecord | null> {
      const rows = await query('SELECT * FROM users WHERE token_hash = $1', [hash]);
      return rows[0] ? userFromRow(rows[0]) : null;
    },
    async findUserById(id: string): Promise<UserRecord | null> {
      const rows = await query('SELECT * FROM users WHERE id = $1', [id]);
      return rows[0] ? userFromRow(rows[0]) : null;
    },
    async listUsers(): Promise<UserRecord[]> {
      return (await query('SELECT * FROM users ORDER BY created_at DESC, id')).map(userFromRow);
    },
    async revokeUser(id: string, at: Date): Promise<void> {
      await exec("UPDATE users SET status = 'revoked', revoked_at = $1 WHERE id = $2", [at, id]);
      await exec('DELETE FROM sessions WHERE user_id = $1', [id]);
    },
    async insertSession(s: SessionRecord): Promise<void> {
      await exec(
        'INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [s.idHash, s.userId, s.csrfToken, s.createdAt, s.expiresAt],
      );
    },
    async findSession(idHash: string, now: Date): Promise<SessionRecord | null> {
      const rows = await query('SELECT * FROM sessions WHERE id_hash = $1 AND expires_at > $2', [
        idHash,
        now,
      ]);
      const r = rows[0];
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
        target: r['target'] === null ? null : String(r['target']),
        details: json<Record<string, unknown>>(r['details'], {}),
      }));
    },
    async setIncidentState(s: IncidentState): Promise<void> {
      await exec(
        `INSERT INTO incident_states (id, state, changed_by, changed_at, note) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, changed_by = excluded.changed_by,
           changed_at = excluded.changed_at, note = excluded.note`,
        [s.id, s.state, s.changedBy, s.changedAt, s.note],
      );
    },
    async getIncidentStates(ids: readonly string[]): Promise<Map<string, IncidentState>> {
      const out = new Map<string, IncidentState>();
      if (ids.length === 0) return out;
      const rows: Row[] = [];
      // Bound in chunks: one placeholder per id, well under every backend's parameter limit.
      for (let i = 0; i < ids.length; i += 1000) {
        const chunk = ids.slice(i, i + 1000);
        const marks = chunk.map((_, j) => `$${j + 1}`).join(', ');
        rows.push(...(await query(`SELECT * FROM incident_states WHERE id IN (${marks})`, chunk)));
      }
      for (const r of rows)
        out.set(String(r['id']), {
          id: String(r['id']),
          state: String(r['state']) as IncidentState['state'],
          changedBy: String(r['changed_by']),
          changedAt: date(r['changed_at']),
          note: r['note'] === null ? null : String(r['note']),
        });
      return out;
    },
  };
}
