/** The `tally` command line: global options, command lookup, help, and error normalisation at the boundary. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { TallyError, loadConfig, toTallyError, type TallyConfig } from '../core/index.js';
import { openStore, resolveDbPath, type CostStore } from '../store/index.js';
import type { Command, CommandContext, OptionSpec, OptionValues, TeamScope } from './command.js';
import { createOutput, printError, type Sink } from './output.js';
import { forwardToServer } from './_remote.js';
import { COMMANDS } from './commands/index.js';

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  db: { type: 'string', description: 'store file (default .tally/tally.duckdb; env TALLY_DB)' },
  config: { type: 'string', description: 'config file (default ./tally.yaml; env TALLY_CONFIG)' },
  json: { type: 'boolean', description: 'print one JSON document on stdout' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

/** The package version. */
export function version(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, '../../package.json'), join(here, '../package.json')]) {
    try {
      return (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;
    } catch {
      // try the next layout (src/ vs dist/)
    }
  }
  return '0.0.0';
}

function findCommand(argv: readonly string[]): { cmd: Command; rest: string[] } | null {
  const words = argv.filter((a) => !a.startsWith('-')).slice(0, 2);
  if (words.length >= 2) {
    const two = COMMANDS.find((c) => c.name === `${words[0]} ${words[1]}`);
    if (two) return { cmd: two, rest: removeWords(argv, 2) };
  }
  if (words.length >= 1) {
    const one = COMMANDS.find((c) => c.name === words[0]);
    if (one) return { cmd: one, rest: removeWords(argv, 1) };
  }
  return null;
}

function removeWords(argv: readonly string[], n: number): string[] {
  const out: string[] = [];
  let removed = 0;
  for (const a of argv) {
    if (removed < n && !a.startsWith('-')) {
      removed++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** Top-level help text. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `tally ${version()}: FinOps for AI workloads`,
    '',
    'Usage: tally <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options: --db PATH, --config FILE, --json, --help, --version',
    "Run `tally <command> --help` for a command's options.",
  ].join('\n');
}

function commandHelp(cmd: Command): string {
  const opts = { ...(cmd.options ?? {}), ...GLOBAL_OPTIONS };
  const width = Math.max(...Object.keys(opts).map((k) => k.length + (opts[k]!.type === 'string' ? 6 : 0)));
  return [
    `tally ${cmd.name}: ${cmd.summary}`,
    '',
    `Usage: tally ${cmd.name} ${cmd.usage ?? '[options]'}`,
    '',
    'Options:',
    ...Object.entries(opts).map(([k, o]) => {
      const flag = `--${k}${o.type === 'string' ? ' VALUE' : ''}`;
      return `  ${flag.padEnd(width + 4)}  ${o.description}${o.default !== undefined ? ` (default ${String(o.default)})` : ''}`;
    }),
  ].join('\n');
}

/**
 * Where a run happens. The default is this process's terminal and its own store; `tally serve` runs commands
 * for the local CLI and the API in-process with its own store, streams and the caller's scope.
 */
export interface MainEnv {
  readonly stdout?: Sink;
  readonly stderr?: Sink;
  /** A store owned by the caller: used as is and never closed here. */
  readonly store?: CostStore;
  readonly config?: TallyConfig;
  readonly scope?: TeamScope | null;
  readonly actor?: string;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[], env: MainEnv = {}): Promise<number> {
  const wantsJson = argv.includes('--json');
  const stdout = env.stdout ?? process.stdout;
  const stderr = env.stderr ?? process.stderr;
  const out = createOutput({ json: wantsJson, stdout, stderr });
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    stdout.write(`${version()}\n`);
    return 0;
  }
  if (
    argv.length === 0 ||
    (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help'))
  ) {
    stdout.write(mainHelp() + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const word = argv.find((a) => !a.startsWith('-')) ?? argv[0];
    const group = COMMANDS.filter((c) => c.name.startsWith(`${word} `));
    if (group.length > 0) {
      // `tally keys` alone: list the subcommands of the group.
      const width = Math.max(...group.map((c) => c.name.length));
      const lines = group.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
      const help = argv.includes('--help') || argv.includes('-h');
      (help ? stdout : stderr).write(`tally ${word} needs a subcommand:\n${lines}\n`);
      return help ? 0 : 2;
    }
    stderr.write(`error: unknown command "${word}"\n\n${mainHelp()}\n`);
    return 2;
  }
  const { cmd, rest } = found;
  const options = { ...(cmd.options ?? {}), ...GLOBAL_OPTIONS } as ParseArgsConfig['options'];
  let values: OptionValues;
  let positionals: string[];
  try {
    const parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
    values = parsed.values as OptionValues;
    positionals = parsed.positionals;
  } catch (err) {
    stderr.write(`error: ${(err as Error).message}\n\n${commandHelp(cmd)}\n`);
    return 2;
  }
  if (values['help']) {
    stdout.write(commandHelp(cmd) + '\n');
    return 0;
  }
  if (positionals.length > 0 && !cmd.positionals) {
    stderr.write(`error: unexpected argument "${positionals[0]}"\n\n${commandHelp(cmd)}\n`);
    return 2;
  }
  const stores: CostStore[] = [];
  let config: TallyConfig | undefined = env.config;
  const configPath = typeof values['config'] === 'string' ? values['config'] : undefined;
  const ctx: CommandContext = {
    values,
    positionals,
    json: values['json'] === true,
    out,
    configPath,
    get dbPath() {
      const fromConfig = ctx.config().store.path;
      return resolveDbPath({
        db: typeof values['db'] === 'string' ? values['db'] : undefined,
        configPath: fromConfig,
      });
    },
    config() {
      config ??= loadConfig({ path: configPath }).config;
      return config;
    },
    scope: env.scope ?? null,
    actor: env.actor ?? `cli:${localUser()}`,
    write: (text) => stdout.write(text),
    async openStore(o) {
      if (env.store) return env.store;
      const s = await openStore({
        path: ctx.dbPath,
        readOnly: o?.readOnly ?? false,
        memoryLimit: ctx.config().store.memoryLimit,
        threads: ctx.config().store.threads,
      });
      stores.push(s);
      return s;
    },
    str: (name) => (typeof values[name] === 'string' ? values[name] : undefined),
    flag: (name) => values[name] === true,
    num(name, o) {
      const v = values[name];
      if (v === undefined) return undefined;
      const n = Number(v);
      if (
        typeof v !== 'string' ||
        v.trim() === '' ||
        !Number.isFinite(n) ||
        (o?.integer && !Number.isInteger(n)) ||
        (o?.min !== undefined && n < o.min)
      )
        throw new TallyError(
          'invalid_input',
          `--${name}: "${String(v)}" is not a valid ${o?.integer ? 'whole ' : ''}number${o?.min !== undefined ? ` >= ${o.min}` : ''}`,
          { field: name },
        );
      return n;
    },
  };
  try {
    // A running `tally serve` owns this store: the command runs there, on its store, with the same output.
    if (!env.store && !cmd.local) {
      const code = await forwardToServer(ctx.dbPath, argv, { stdout, stderr });
      if (code !== null) return code;
    }
    const ran: unknown = await cmd.run(ctx);
    const code = typeof ran === 'number' ? ran : 0;
    if (cmd.writes && code === 0) await audit(ctx, cmd, stores[0] ?? env.store);
    return code;
  } catch (err) {
    const te = toTallyError(err);
    printError(out, te, ctx.json);
    if (te.code === 'internal' && process.env['TALLY_DEBUG']) stderr.write(`${(err as Error).stack}\n`);
    return te.exitCode;
  } finally {
    for (const s of stores) await s.close().catch(() => undefined);
  }
}

/** Records a successful write: who ran which command with which arguments (values of secrets are never options). */
async function audit(ctx: CommandContext, cmd: Command, store: CostStore | undefined): Promise<void> {
  if (!store) return;
  const args = Object.fromEntries(
    Object.entries(ctx.values).filter(([k]) => k !== 'json' && k !== 'db' && k !== 'config'),
  );
  await store
    .appendAudit({
      at: new Date(),
      actor: ctx.actor,
      action: cmd.name,
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

// Run when executed directly (tsx src/cli/main.ts ...), not when imported.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
