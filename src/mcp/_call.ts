/**
 * Calling a tool for a caller: the tool set and scope come from the caller's principal (its token), never from
 * arguments; arguments are validated against the tool's strict schema; the result is bounded; every call,
 * refused ones included, goes to the audit log with the caller and its cost.
 */
import { nanosToDecimalString, toTallyError, type Nanos } from '../core/index.js';
import type { CostStore } from '../store/index.js';
import {
  actorOf,
  requirePermission,
  runForDocument,
  teamScope,
  type ApiDeps,
  type Principal,
  type ReportCache,
} from '../api/index.js';
import type { Tool, ToolContext } from './_tool.js';
import { REPORT_TOOLS } from './_tools-reports.js';
import { MORE_TOOLS } from './_tools-more.js';
import { capResult } from './_bound.js';

/** Every tool, in the order tools/list shows them. */
export const TOOLS: readonly Tool[] = [
  MORE_TOOLS[0]!, // get_dimensions first: what can be asked
  ...REPORT_TOOLS,
  ...MORE_TOOLS.slice(1),
];

/** What calling tools needs from the process: the command runner of the API, the audit log, a clock. */
export interface ToolDeps {
  readonly run: ApiDeps['run'];
  readonly store: Pick<CostStore, 'appendAudit'>;
  /**
   * The serving process's report cache (the API's, cleared by every write it makes): a report document is
   * reused per (argv, caller's scope) as the API reuses it. Without one every call computes.
   */
  readonly cache?: ReportCache;
  now(): Date;
}

/**
 * Reports never answered from the cache: SQL, whose text can name anything. Unlike the API's real-time usage
 * endpoint, the tools read usage over whole days and months (dimensions, explain_change), so a usage answer is
 * cached like any report: for the time to live, or until a write when its window has closed.
 */
const LIVE = new Set(['sql']);
const isLive = (argv: readonly string[]) => LIVE.has(argv[0] ?? '');

/** The tools a principal may see and call. */
export function toolsFor(principal: Principal): Tool[] {
  return TOOLS.filter((t) => {
    try {
      requirePermission(principal, t.permission);
      return true;
    } catch {
      return false;
    }
  });
}

/** What one tool call gave. */
export interface ToolOutcome {
  readonly name: string;
  readonly arguments: unknown;
  readonly ok: boolean;
  /** The result as bounded JSON text (on failure: the error). */
  readonly text: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly durationMs: number;
}

/** What a tool runs with for a principal: its reports go through the cache of `deps`. */
export function contextFor(deps: ToolDeps, principal: Principal): ToolContext {
  return {
    principal,
    now: deps.now,
    async report(argv) {
      // --json goes before a `--` (after it, it would be a positional).
      const end = argv.indexOf('--');
      const full = end < 0 ? [...argv, '--json'] : [...argv.slice(0, end), '--json', ...argv.slice(end)];
      return (await runForDocument(deps, principal, full, deps.cache, isLive(argv))).doc;
    },
  };
}

/**
 * Calls a tool as a principal. Never throws for the tool's own failures: they come back as `ok: false` so an
 * assistant can read them. `costNanos` is the model cost attributed to this call (ask), 0 for MCP clients.
 */
export async function callTool(
  deps: ToolDeps,
  principal: Principal,
  name: string,
  args: unknown,
  meta: { via: 'mcp' | 'ask'; costNanos?: Nanos },
): Promise<ToolOutcome> {
  const started = performance.now();
  const tool = toolsFor(principal).find((t) => t.name === name);
  let outcome: ToolOutcome;
  const ms = () => Math.round(performance.now() - started);
  if (!tool) {
    const error = { code: 'not_found', message: `no tool "${name}" for this caller` };
    outcome = { name, arguments: args, ok: false, text: JSON.stringify({ error }), error, durationMs: ms() };
  } else {
    const parsed = tool.input.safeParse(args ?? {});
    if (!parsed.success) {
      const message = parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`)
        .join('; ');
      const error = { code: 'invalid_input', message };
      outcome = {
        name,
        arguments: args,
        ok: false,
        text: JSON.stringify({ error }),
        error,
        durationMs: ms(),
      };
    } else {
      try {
        const result = await tool.run(parsed.data, contextFor(deps, principal));
        outcome = { name, arguments: parsed.data, ok: true, text: capResult(result), durationMs: ms() };
      } catch (err) {
        const te = toTallyError(err);
        const error = { code: te.code, message: te.message };
        outcome = {
          name,
          arguments: args,
          ok: false,
          text: JSON.stringify({ error }),
          error,
          durationMs: ms(),
        };
      }
    }
  }
  await deps.store
    .appendAudit({
      at: deps.now(),
      actor: actorOf(principal),
      action: `${meta.via} tool`,
      target: name,
      details: {
        arguments: outcome.arguments,
        ok: outcome.ok,
        ...(outcome.error ? { error: outcome.error.code } : {}),
        scope: teamScope(principal)?.teams ?? 'all',
        costUsd: nanosToDecimalString(meta.costNanos ?? 0n),
        durationMs: outcome.durationMs,
        resultChars: outcome.text.length,
      },
    })
    .catch(() => undefined); // an audit failure must not hide the answer; the store logs its own errors
  return outcome;
}
