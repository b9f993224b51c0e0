/**
 * Runs a loaded command: builds its context (config, store, typed options), forwards it to a running server that
 * owns the store, records writes in the audit log, and normalises errors at the boundary.
 */
import { userInfo } from 'node:os';
import { TallyError, loadConfig, toTallyError, type TallyConfig } from '../core/index.js';
import { isPostgresUrl, openStore, resolveDbPath, storeSettings, type CostStore } from '../store/index.js';
import type { Command, CommandContext, CommandEntry, OptionSpecs, OptionValues } from './command.js';
import type { MainEnv } from './main.js';
import { createOutput, printError, type Sink } from './output.js';
import { forwardToServer } from './_remote.js';
import { readServerState } from '../owner/index.js';

/** argv as given, and as parsed against the command's options (plus the global ones). */
export interface ParsedArgs {
  readonly argv: readonly string[];
  readonly values: Record<string, unknown>;
  readonly positionals: string[];
}

/** Runs `cmd`; returns the exit code. */
export async function runCommand(
  entry: CommandEntry,
  cmd: Command,
  args: ParsedArgs,
  env: MainEnv & { stdout: Sink; stderr: Sink },
): Promise<number> {
  const { values, positionals } = args;
  const { stdout, stderr } = env;
  const json = values['json'] === true;
  const out = createOutput({ json, stdout, stderr });
  const stores: CostStore[] = [];
  // Whether the command opened the store for writing: a write command that only read (`alerts run --dry-run`)
  // changed nothing, so it is not audited (and a read-only handle could not take the entry anyway).
  let writable: CostStore | undefined;
  let openedForWrite = false;
  let config: TallyConfig | undefined = env.config;
  const configPath = typeof values['config'] === 'string' ? values['config'] : undefined;
  const str = (name: string) => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const ctx: CommandContext<OptionSpecs> = {
    // parseArgs parsed argv with exactly cmd.options (plus the global ones), the shape the command declared.
    values: values as OptionValues<OptionSpecs>,
    positionals,
    json,
    out,
    configPath,
    get dbPath() {
      const store = ctx.config().store;
      return resolveDbPath({ db: str('db'), configPath: store.path, configUrl: store.url });
    },
    config() {
      config ??= loadConfig({ path: configPath }).config;
      return config;
    },
    scope: env.scope ?? null,
    actor: env.actor ?? `cli:${localUser()}`,
    memo: env.memo ?? null,
    write: (text) => stdout.write(text),
    async openStore(o) {
      if (o?.readOnly !== true) openedForWrite = true;
      if (env.store) return env.store;
      const s = await openStore({
        path: ctx.dbPath,
        readOnly: o?.readOnly ?? false,
        ...storeSettings(ctx.config().store),
      });
      stores.push(s);
      if (o?.readOnly !== true) writable ??= s;
      return s;
    },
    str,
    flag: (name: string) => values[name] === true,
    num(name: string, o) {
      const v = values[name];
      if (v === undefined) return undefined;
      const n = Number(v);
      if (
        typeof v !== 'string' ||
        v.trim() === '' ||
        !Number.isFinite(n) ||
        (o?.integer && !Number.isInteger(n)) ||
        (o?.min !== undefined && n < o.min) ||
        (o?.max !== undefined && n > o.max)
      ) {
        const kind = `${o?.integer ? 'whole ' : ''}number`;
        const range =
          o?.min !== undefined && o?.max !== undefined
            ? ` from ${o.min} to ${o.max}`
            : o?.min !== undefined
              ? ` >= ${o.min}`
              : o?.max !== undefined
                ? ` <= ${o.max}`
                : '';
        throw new TallyError('invalid_input', `--${name}: "${String(v)}" is not a valid ${kind}${range}`, {
          field: name,
        });
      }
      return n;
    },
  };
  try {
    // A running `tally serve` owns this store file: the command runs there, on its store, with the same output.
    // A PostgreSQL store has no single owner: every process connects to it directly.
    if (!env.store && !cmd.local && !isPostgresUrl(ctx.dbPath)) {
      const code = await forwardToServer(ctx.dbPath, args.argv, { stdout, stderr }, entry.name);
      if (code !== null) return code;
    }
    const ran: unknown = await cmd.run(ctx);
    const code = typeof ran === 'number' ? ran : 0;
    if (cmd.writes && openedForWrite && code === 0) await audit(ctx, entry.name, writable ?? env.store);
    return code;
  } catch (err) {
    const te = ownerHoldsStore(toTallyError(err), ctx, entry.name);
    printError(out, te, ctx.json);
    if (te.code === 'internal' && process.env['TALLY_DEBUG']) stderr.write(`${(err as Error).stack}\n`);
    return te.exitCode;
  } finally {
    for (const s of stores) await s.close().catch(() => undefined);
  }
}

/**
 * A command that must own the store (`demo`, `serve`, `gateway`, `store copy`) found it locked: when a live
 * `tally serve`/`tally gateway` owns it, say which process and what to do instead of DuckDB's lock message.
 */
function ownerHoldsStore(te: TallyError, ctx: CommandContext<OptionSpecs>, name: string): TallyError {
  if (te.code !== 'store_locked') return te;
  // The locked file is the store the error names (`store copy --from`), else this command's store.
  let dbPath: string;
  try {
    dbPath = typeof te.details['file'] === 'string' ? te.details['file'] : ctx.dbPath;
  } catch {
    return te;
  }
  const owner = readServerState(dbPath);
  if (!owner) return te;
  return new TallyError(
    'store_locked',
    `tally ${name} needs the store ${dbPath} to itself, and the running Tally server (pid ${owner.pid}, ${owner.url}, ` +
      `started ${owner.startedAt}) owns it. Stop that server first (kill -TERM ${owner.pid}: it drains and exits), ` +
      `then run tally ${name} again; or give another --db.`,
    { pid: owner.pid, url: owner.url, store: dbPath },
  );
}

/** Records a successful write: who ran which command with which arguments (values of secrets are never options). */
async function audit(
  ctx: CommandContext<OptionSpecs>,
  action: string,
  store: CostStore | undefined,
): Promise<void> {
  if (!store) return;
  const args = Object.fromEntries(
    Object.entries(ctx.values).filter(([k]) => k !== 'json' && k !== 'db' && k !== 'config'),
  );
  await store
    .appendAudit({
      at: new Date(),
      actor: ctx.actor,
      action,
      target: ctx.positionals[0] ?? null,
      details: args,
    })
    .catch((err: unknown) => ctx.out.note(`warning: the audit log was not written: ${String(err)}`));
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
