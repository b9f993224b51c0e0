/**
 * The CLI side of the admin API: while a gateway runs it is the store's only writer, so commands that read
 * or change the store ask it over HTTP (URL and admin token from `<db>.gateway.json`). Returns null when no
 * gateway is running on that store (no state file, or a stale one nobody answers). A PostgreSQL store has no
 * single writer: commands use it directly, so this answers null for one.
 */
import { TallyError } from '../core/index.js';
import { isPostgresUrl } from '../store/index.js';
import { readGatewayState } from './start.js';

/** Calls the running gateway's admin API; null when there is none. Errors come back as TallyErrors. */
export async function askRunningGateway(
  dbPath: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  if (isPostgresUrl(dbPath)) return null;
  const state = readGatewayState(dbPath);
  if (!state) return null;
  let res: Response;
  try {
    res = await fetch(`${state.url}${path}`, {
      method,
      headers: { 'x-tally-admin-token': state.adminToken, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      redirect: 'error',
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    return null;
  }
  const doc = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const e = (doc as { error?: { message?: string; code?: string } } | null)?.error;
    const code =
      e?.code === 'not_found' || e?.code === 'conflict' || e?.code === 'invalid_input'
        ? e.code
        : 'unavailable';
    throw new TallyError(
      code,
      `the running gateway at ${state.url} answered: ${e?.message ?? `HTTP ${res.status}`}`,
    );
  }
  return doc;
}
