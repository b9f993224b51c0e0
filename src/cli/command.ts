/**
 * The shape of a CLI command and what it is given to run. One file per command under commands/; the registry
 * (commands/index.ts) names each with its summary and a `load()` so help never loads a command module.
 * Option names are types: `defineCommand({ options: { period: {...} }, run(ctx) { ctx.str('peroid') } })`
 * does not compile.
 */
import type { TallyConfig } from '../core/index.js';
import type { CostStore } from '../store/index.js';
import type { PeriodMemo } from '../analytics/index.js';
import type { Output } from './output.js';

/** One option of a command (parsed with node:util parseArgs). */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  readonly description: string;
  readonly default?: string | boolean;
}

/** The teams a caller is bound to. */
export interface TeamScope {
  readonly teams: readonly string[];
}

/** A command's options by name. */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** Options every command takes (main.ts parses them, before or after the command words). */
export const GLOBAL_OPTIONS = {
  db: { type: 'string', description: 'store file (default .tally/tally.duckdb; env TALLY_DB)' },
  config: { type: 'string', description: 'config file (default ./tally.yaml; env TALLY_CONFIG)' },
  json: { type: 'boolean', description: 'print one JSON document on stdout' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
} as const satisfies OptionSpecs;

type GlobalOptions = typeof GLOBAL_OPTIONS;

/** The parsed value of one option. */
export type OptionValue<S extends OptionSpec> = S['type'] extends 'boolean'
  ? S['multiple'] extends true
    ? boolean[] | undefined
    : boolean | undefined
  : S['multiple'] extends true
    ? string[] | undefined
    : string | undefined;

/** Parsed option values, typed by the command's options (and the global ones). */
export type OptionValues<O extends OptionSpecs> = {
  readonly [K in keyof O | keyof GlobalOptions]: K extends keyof O
    ? OptionValue<O[K]>
    : K extends keyof GlobalOptions
      ? OptionValue<GlobalOptions[K]>
      : never;
};

/** Names of the single-valued string options. */
export type StringOptionName<O extends OptionSpecs> = {
  [K in keyof O]: O[K]['type'] extends 'string' ? (O[K]['multiple'] extends true ? never : K) : never;
}[keyof O] &
  string;

/** Names of the boolean options (global --json included). */
export type FlagName<O extends OptionSpecs> =
  ({ [K in keyof O]: O[K]['type'] extends 'boolean' ? K : never }[keyof O] & string) | 'json';

/** A string option spec, for helpers that read one option shared by several commands. */
export interface StringOptionSpec extends OptionSpec {
  readonly type: 'string';
}

/** What a running command can use. `O` is its options literal; helpers may ask for a subset (`WithOptions`). */
export interface CommandContext<O extends OptionSpecs = Record<never, OptionSpec>> {
  readonly values: OptionValues<O>;
  readonly positionals: readonly string[];
  /** --json was given: print exactly one JSON document on stdout. */
  readonly json: boolean;
  readonly out: Output;
  /** Resolved store path (--db, TALLY_DB, config, default). */
  readonly dbPath: string;
  /** Path of the config file given (--config / TALLY_CONFIG), if any. */
  readonly configPath: string | undefined;
  /** The validated config (loaded lazily, once). */
  readonly config: () => TallyConfig;
  /** Opens the store (read-only where a command only reads). Closed automatically when the command ends. */
  readonly openStore: (opts?: { readOnly?: boolean }) => Promise<CostStore>;
  /** A string option, or undefined. (Properties, not methods, so a misspelt or foreign name never compiles.) */
  readonly str: (name: StringOptionName<O>) => string | undefined;
  /** A boolean option. */
  readonly flag: (name: FlagName<O>) => boolean;
  /** A numeric option, validated; undefined when absent. */
  readonly num: (
    name: StringOptionName<O>,
    opts?: { min?: number; max?: number; integer?: boolean },
  ) => number | undefined;
  /**
   * The teams a scoped caller (an API token of a team-lead or viewer) may see, or null for everything. Reports
   * apply it to their rows themselves, so a page or client can never widen it.
   */
  readonly scope: TeamScope | null;
  /** Who runs this command, for the audit log (`cli:<os user>` locally, `user:<id>` through the API). */
  readonly actor: string;
  /** Closed months shared with the serving process's other reports (ADR 0033), or null in a one-off run. */
  readonly memo: PeriodMemo | null;
  /** Writes raw text (CSV) to stdout. */
  readonly write: (text: string) => void;
}

/** A boolean option spec. */
export interface BooleanOptionSpec extends OptionSpec {
  readonly type: 'boolean';
}

/** A repeatable string option spec (`--team a --team b`). */
export interface RepeatedOptionSpec extends OptionSpec {
  readonly type: 'string';
  readonly multiple: true;
}

/**
 * The context of any command that declares (at least) these string options `S`, boolean options `B` and
 * repeatable string options `M`: for helpers shared by several commands.
 */
export type WithOptions<
  S extends string,
  B extends string = never,
  M extends string = never,
> = CommandContext<
  Record<S, StringOptionSpec> & Record<B, BooleanOptionSpec> & Record<M, RepeatedOptionSpec>
>;

/** How a command runs, beside its options. */
interface CommandTraits {
  /**
   * Runs in the calling process even when a `tally serve` owns the store: it needs no store (`tokens`,
   * `validate`), or must own it (`gateway`, `serve`, `demo`, `store copy`: told which process to stop when one
   * does). A command that reads the store when it exists (`prices`, `estimate` read imported price sheets) is
   * not local, so it runs on the owner.
   */
  readonly local?: boolean;
  /** Changes the store: recorded in the audit log (who, what, when) when it succeeds. */
  readonly writes?: boolean;
  /** Whether positionals (files, SQL text, key ids) are accepted. */
  readonly positionals?: boolean;
}

/** A loaded command: its options and what it runs. Name, summary and usage live in the registry. */
export interface Command extends CommandTraits {
  readonly options: OptionSpecs;
  run(ctx: CommandContext<OptionSpecs>): Promise<number | void>;
}

/** A typed command definition; `ctx` in `run` knows the option names. */
export interface CommandDefinition<O extends OptionSpecs> extends CommandTraits {
  readonly options?: O;
  run(ctx: CommandContext<O>): Promise<number | void>;
}

/** Defines a command whose option names are checked by the compiler. */
export function defineCommand<const O extends OptionSpecs = Record<never, OptionSpec>>(
  def: CommandDefinition<O>,
): Command {
  return {
    ...def,
    options: def.options ?? {},
    // main.ts parses argv with exactly these options, so the values have the shape `O` describes.
    run: (ctx) => def.run(ctx as unknown as CommandContext<O>),
  };
}

/** One row of the registry: enough for help without loading the command's module. */
export interface CommandEntry {
  /** One word, or two for subcommands ("keys create"). */
  readonly name: string;
  readonly summary: string;
  /** Usage after `tally <name>`, e.g. "--period YYYY-MM [--json]". */
  readonly usage?: string;
  /** Loads the command module (dynamic import) and returns its command. */
  readonly load: () => Promise<Command>;
}
