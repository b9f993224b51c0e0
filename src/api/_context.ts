/** What API handlers share: the dependencies the serving process gives, the request variables, and running a command. */
import { TallyError, type TallyConfig } from '../core/index.js';
import type { CostStore, Role } from '../store/index.js';
import type { Caller } from './_session.js';
import { actorOf, teamScope, type Principal } from './_roles.js';
import { paginate } from './_paging.js';
import { ReportCache, windowEndMs } from './_cache.js';
import type { AuthThrottle } from './_auth-throttle.js';

const NO_CACHE = new ReportCache(0);

class CommandFailed extends Error {
  constructor(readonly stdout: string) {
    super('command failed');
  }
}

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
  /** The report cache to use (the serving process clears it on writes it makes itself, e.g. watched ingest). */
  readonly cache?: ReportCache;
  /** The teams a stored incident touches, or null when there is no stored incident with this id. */
  incidentTeams(id: string): Promise<readonly string[] | null>;
  /** Failed authentications per client address (default: 100 a minute, then 429s); shared with /mcp. */
  readonly authThrottle?: AuthThrottle;
  /** Largest JSON or form body, bytes (default 1 MiB); larger ones are a 413 before they are read. */
  readonly maxBodyBytes?: number;
  /** Largest file upload (ingest, KPIs, price sheets), bytes (default 512 MiB). */
  readonly maxUploadBytes?: number;
  /** Seconds a report answer may be reused (0: never); writes through this server clear them. Default 30. */
  readonly reportCacheSeconds?: number;
  /** Runs a CLI command in the owner process with a caller's scope and audit name. */
  run(
    argv: readonly string[],
    opts: { scope: { teams: readonly string[] } | null; actor: string },
  ): Promise<CommandResult>;
}

/** Per-request values handlers can read. */
export interface ApiVariables {
  caller: Caller;
  user: { id: string; name: string; role: Role; teams: readonly string[] } | null;
  csrfToken: string;
  /** Set by a POST that changed nothing (a read-only command forwarded by the CLI), so the report cache stays. */
  changedNothing?: boolean;
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
  cache?: ReportCache,
  live = true,
): Promise<{ text: string; doc: unknown }> {
  const scope = teamScope(principal);
  let code = 0;
  let stderr = '';
  const stdout = await (cache ?? NO_CACHE)
    .get(
      JSON.stringify([argv, scope]),
      live,
      async () => {
        const r = await deps.run(argv, { scope, actor: actorOf(principal) });
        if (r.code !== 0) {
          code = r.code;
          stderr = r.stderr;
          // Failures are not cached: throw past the cache, rebuilt below from what was printed.
          throw new CommandFailed(r.stdout);
        }
        return r.stdout;
      },
      windowEndMs(argv),
    )
    .catch((err: unknown) => {
      if (err instanceof CommandFailed) return err.stdout;
      throw err;
    });
  const r = { code, stdout, stderr };
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    // Help text (a request field named help) or a usage error (exit 2: an option the command does not take)
    // is the request's fault; anything else is ours, and its text stays in the server (500 says nothing).
    if (r.code === 0 || r.code === 2)
      throw new TallyError(
        'invalid_input',
        r.code === 2
          ? (/^error: ([^\n]{1,200})/.exec(r.stderr)?.[1] ?? 'the command refused these options')
          : 'this request asks for help text, not a report: drop the help field',
      );
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
  cached?: { cache: ReportCache; live: boolean },
): Promise<Response> {
  const { text, doc } = await runForDocument(deps, principal, argv, cached?.cache, cached?.live ?? true);
  const page = query ? paginate(doc, query) : null;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (page) Object.assign(headers, page.headers);
  return new Response(page ? JSON.stringify(page.doc) : text, { status: 200, headers });
}
