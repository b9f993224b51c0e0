/**
 * The `tally` command line: global options, command lookup, help, and the process boundary. This file and the
 * registry load nothing heavy: `--version` and `--help` never import a command module, the config schema, the
 * store (DuckDB) or the tokenizer; a command's module is imported only when it runs (or shows its help).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { TallyConfig } from '../core/index.js';
import type { CostStore } from '../store/index.js';
import type { PeriodMemo } from '../analytics/index.js';
import {
  GLOBAL_OPTIONS,
  type Command,
  type CommandEntry,
  type OptionSpecs,
  type TeamScope,
} from './command.js';
import type { Sink } from './output.js';
import { COMMANDS } from './commands/index.js';
import { locateCommand } from './_argv.js';

export { GLOBAL_OPTIONS };

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

const list = (entries: readonly CommandEntry[]): string[] => {
  const width = Math.max(...entries.map((c) => c.name.length));
  return entries.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
};

/** Top-level help text. */
export function mainHelp(): string {
  return [
    `tally ${version()}: FinOps for AI workloads`,
    '',
    'Usage: tally <command> [options]',
    '',
    'Commands:',
    ...list(COMMANDS),
    '',
    'Global options: --db PATH, --config FILE, --json, --help, --version',
    "Run `tally <command> --help` for a command's options.",
  ].join('\n');
}

function commandHelp(entry: CommandEntry, cmd: Command): string {
  const opts: OptionSpecs = { ...cmd.options, ...GLOBAL_OPTIONS };
  const width = Math.max(...Object.keys(opts).map((k) => k.length + (opts[k]!.type === 'string' ? 6 : 0)));
  return [
    `tally ${entry.name}: ${entry.summary}`,
    '',
    `Usage: tally ${entry.name} ${entry.usage ?? '[options]'}`,
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
  /**
   * Closed months' allocations and inputs shared between the commands of a serving process, which clears it on
   * every write (ADR 0033). Absent: each command reads its months itself.
   */
  readonly memo?: PeriodMemo;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[], env: MainEnv = {}): Promise<number> {
  const stdout = env.stdout ?? process.stdout;
  const stderr = env.stderr ?? process.stderr;
  const has = (...flags: string[]) => argv.some((a) => flags.includes(a));
  if (argv.length === 1 && has('--version', '-v')) {
    stdout.write(`${version()}\n`);
    return 0;
  }
  const found = locateCommand(argv, COMMANDS);
  if (!found.entry) {
    const word = found.word;
    if (word === undefined || (word === 'help' && argv.length === 1)) {
      // `tally`, `tally --help`, `tally help`, or only global options: the command list.
      if (word === undefined && has('--version', '-v')) return main(['--version'], env);
      stdout.write(mainHelp() + '\n');
      return word === 'help' || has('--help', '-h') ? 0 : 2;
    }
    const group = COMMANDS.filter((c) => c.name.startsWith(`${word} `));
    if (group.length > 0) {
      // `tally keys` alone: list the subcommands of the group.
      const help = has('--help', '-h');
      (help ? stdout : stderr).write(`tally ${word} needs a subcommand:\n${list(group).join('\n')}\n`);
      return help ? 0 : 2;
    }
    stderr.write(`error: unknown command "${word}"\n\n${mainHelp()}\n`);
    return 2;
  }
  const { entry, rest } = found;
  const cmd = await entry.load();
  const options = { ...cmd.options, ...GLOBAL_OPTIONS } as ParseArgsConfig['options'];
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (err) {
    stderr.write(`error: ${(err as Error).message}\n\n${commandHelp(entry, cmd)}\n`);
    return 2;
  }
  if (parsed.values['help']) {
    stdout.write(commandHelp(entry, cmd) + '\n');
    return 0;
  }
  if (parsed.positionals.length > 0 && !cmd.positionals) {
    stderr.write(`error: unexpected argument "${parsed.positionals[0]}"\n\n${commandHelp(entry, cmd)}\n`);
    return 2;
  }
  // Loaded only now: the config schema (zod, yaml), the store, forwarding to a server, error normalisation.
  const { runCommand } = await import('./_run.js');
  return runCommand(
    entry,
    cmd,
    { argv, values: parsed.values, positionals: parsed.positionals },
    {
      ...env,
      stdout,
      stderr,
    },
  );
}

/**
 * A reader that goes away (`tally usage | head`) closes the pipe: writes then fail with EPIPE. Like a program
 * killed by SIGPIPE, end quietly: exit 0 when stdout is gone; ignore a gone stderr and keep the exit code.
 */
function endQuietlyOnClosedPipe(): void {
  const gone = (err: NodeJS.ErrnoException) => err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED';
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (!gone(err)) throw err;
    process.exit(0);
  });
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (!gone(err)) throw err;
  });
}

/** The process entry (bin/tally.js, or `tsx src/cli/main.ts`): runs main and sets the exit code. */
export function runProcess(argv: readonly string[]): void {
  endQuietlyOnClosedPipe();
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exitCode = 70;
    },
  );
}

// Run when executed directly (tsx src/cli/main.ts ...), not when imported.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) runProcess(process.argv.slice(2));
