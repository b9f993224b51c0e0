/** What API handlers share: the dependencies the serving process gives, the request variables, and running a command. */
import { TallyError, type TallyConfig } from '../core/index.js';
import type { CostStore } from '../store/index.js';
import type { Caller } from './_session.js';
import { actorOf, teamScope, type Principal } from './_roles.js';
import { paginate } from './_paging.js';

/** What a command run in the owner process gave back. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What the API needs from the process that serves it. */
export interface ApiDeps {
  readonly store: CostStore;
  readonly config: TallyConfig;
  /** The store's path or URL, as the owner's identity proof names it. */
  readonly storePath: string;
  /** The owner's secret (from the state file): the local CLI's bearer token. */
  readonly secret: string;
  readonly secureCookies: boolean;
  readonly sessionHours: number;
  now(): Date;
  /** Runs a CLI command in the owner process with a caller's scope and audit name. */
  run(
    argv: readonly string[],
    opts: { scope: { teams: readonly string[] } | null; actor: string },
  ): Promise<CommandResult>;
}

/** Per-request values handlers can read. */
export interface ApiVariables {
  caller: Caller;
  user: { id: string; name: string; role: string; teams: readonly string[] } | null;
  csrfToken: string;
}
/** The app's Hono environment. */
export type ApiEnv = { Variables: ApiVariables };

/** The principal of an authenticated request (401 otherwise). */
export function principalOf(caller: Caller): Principal {
  if (!caller.principal)
    throw new TallyError('unauthorized', 'send "Authorization: Bearer <token>" or log in');
  return caller.principal;
}

/** Runs a command for a principal: the JSON text it printed and the parsed document, or the TallyError it failed with. */
export async function runForDocument(
  deps: Pick<ApiDeps, 'run'>,
  principal: Principal,
  argv: readonly string[],
): Promise<{ text: string; doc: unknown }> {
  const r = await deps.run(argv, { scope: teamScope(principal), actor: actorOf(principal) });
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new TallyError(
      'internal',
      `the command printed no JSON (exit ${r.code}): ${r.stderr.slice(0, 200)}`,
    );
  }
  const err = (doc as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })
    .error;
  if (r.code !== 0 || err?.code)
    throw new TallyError(
      (err?.code ?? 'internal') as 'invalid_input',
      err?.message ?? 'failed',
      err?.details ?? {},
    );
  return { text: r.stdout, doc };
}

/** Runs a command for a principal and turns its outcome into a response (the JSON it printed, or a problem). */
export async function commandResponse(
  deps: ApiDeps,
  principal: Principal,
  argv: readonly string[],
  query?: URLSearchParams,
): Promise<Response> {
  const { text, doc } = await runForDocument(deps, principal, argv);
  const page = query ? paginate(doc, query) : null;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (page) Object.assign(headers, page.headers);
  return new Response(page ? JSON.stringify(page.doc) : text, { status: 200, headers });
}
