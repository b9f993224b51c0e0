/** Runs a CLI command in this process on a given store, capturing what it prints (for the API and the local CLI). */
import type { TallyConfig } from '../core/index.js';
import type { CostStore } from '../store/index.js';
import { main } from '../cli/index.js';
import type { PeriodMemo } from '../analytics/index.js';
import type { CommandResult } from '../api/index.js';

/** Runs argv with the caller's scope and audit name; resolves with exit code and output. */
export async function runCommand(
  argv: readonly string[],
  env: {
    store: CostStore;
    config: TallyConfig;
    scope: { teams: readonly string[] } | null;
    actor: string;
    memo?: PeriodMemo;
  },
): Promise<CommandResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    store: env.store,
    config: env.config,
    scope: env.scope,
    actor: env.actor,
    ...(env.memo ? { memo: env.memo } : {}),
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}
