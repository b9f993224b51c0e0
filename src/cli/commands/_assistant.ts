/** What `tally mcp` and `tally ask` share: the caller (from --token, or the local admin) and the tools' runner. */
import { TallyError, type TallyConfig } from '../../core/index.js';
import type { CostStore } from '../../store/index.js';
import { hashToken, type Principal } from '../../api/index.js';
import type { ToolDeps } from '../../mcp/index.js';
import type { StringOptionSpec } from '../command.js';
import { main } from '../main.js';
import { PeriodMemo } from '../../analytics/index.js';

/** The --token option. */
export const tokenOption: StringOptionSpec = {
  type: 'string',
  description: "an API user's token: act as that user (its role and teams); default the local admin",
};

/** The caller: the user whose token is given, or the local CLI user (who could open the store anyway). */
export async function callerOf(
  store: CostStore,
  token: string | undefined,
  actor: string,
): Promise<Principal> {
  if (token === undefined) return { kind: 'local', actor };
  const user = await store.findUserByTokenHash(hashToken(token.trim()));
  if (!user || user.status !== 'active')
    throw new TallyError('unauthorized', 'unknown or revoked token; ask an admin for a new one');
  return { kind: 'user', user };
}

/** Tool dependencies that run each report in this process on `store`, as the CLI would print it. */
export function toolDeps(config: TallyConfig, store: CostStore): ToolDeps {
  // This process holds the DuckDB store for the session and its tools only read cost data: closed months can be
  // shared between its reports (ADR 0033). On PostgreSQL other processes write, so nothing is shared.
  const memo = store.backend === 'duckdb' ? new PeriodMemo() : undefined;
  return {
    store,
    now: () => new Date(),
    async run(argv, o) {
      let stdout = '';
      let stderr = '';
      const code = await main(argv, {
        store,
        config,
        scope: o.scope,
        actor: o.actor,
        ...(memo ? { memo } : {}),
        stdout: { write: (t: string) => (stdout += t) },
        stderr: { write: (t: string) => (stderr += t) },
      });
      return { code, stdout, stderr };
    },
  };
}
