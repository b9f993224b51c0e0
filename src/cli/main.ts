/** The `tally` command line: global options, command lookup, help, and error normalisation at the boundary. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { TallyError, loadConfig, toTallyError, type TallyConfig } from '../core/index.js';
import { openStore, resolveDbPath, type CostStore } from '../store/index.js';
import type { Command, CommandContext, OptionSpec, OptionValues } from './command.js';
import { createOutput, printError } from './output.js';
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

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const wantsJson = argv.includes('--json');
  const out = createOutput({ json: wantsJson });
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (
    argv.length === 0 ||
    (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help'))
  ) {
    process.stdout.write(mainHelp() + '\n');
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
      (help ? process.stdout : process.stderr).write(`tally ${word} needs a subcommand:\n${lines}\n`);
      return help ? 0 : 2;
    }
    process.stderr.write(`error: unknown command "${word}"\n\n${mainHelp()}\n`);
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
    process.stderr.write(`error: ${(err as Error).message}\n\n${commandHelp(cmd)}\n`);
    return 2;
  }
  if (values['help']) {
    process.stdout.write(commandHelp(cmd) + '\n');
    return 0;
  }
  if (positionals.length > 0 && !cmd.positionals) {
    process.stderr.write(`error: unexpected argument "${positionals[0]}"\n\n${commandHelp(cmd)}\n`);
    return 2;
  }
  const stores: CostStore[] = [];
  let config: TallyConfig | undefined;
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
    async openStore(o) {
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
    const code = await cmd.run(ctx);
    return code ?? 0;
  } catch (err) {
    const te = toTallyError(err);
    printError(out, te, ctx.json);
    if (te.code === 'internal' && process.env['TALLY_DEBUG'])
      process.stderr.write(`${(err as Error).stack}\n`);
    return te.exitCode;
  } finally {
    for (const s of stores) await s.close().catch(() => undefined);
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
