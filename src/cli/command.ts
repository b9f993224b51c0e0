/** The shape of a CLI command and what it is given to run. One file per command under commands/. */
import type { TallyConfig } from '../core/index.js';
import type { CostStore } from '../store/index.js';
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

/** Parsed option values. */
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** What a running command can use. */
export interface CommandContext {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
  /** --json was given: print exactly one JSON document on stdout. */
  readonly json: boolean;
  readonly out: Output;
  /** Resolved store path (--db, TALLY_DB, config, default). */
  readonly dbPath: string;
  /** Path of the config file given (--config / TALLY_CONFIG), if any. */
  readonly configPath: string | undefined;
  /** The validated config (loaded lazily, once). */
  config(): TallyConfig;
  /** Opens the store (read-only where a command only reads). Closed automatically when the command ends. */
  openStore(opts?: { readOnly?: boolean }): Promise<CostStore>;
  /** A string option, or undefined. */
  str(name: string): string | undefined;
  /** A boolean option. */
  flag(name: string): boolean;
  /**
   * The teams a scoped caller (an API token of a team-lead or viewer) may see, or null for everything. Reports
   * apply it to their rows themselves, so a page or client can never widen it.
   */
  readonly scope: TeamScope | null;
  /** Who runs this command, for the audit log (`cli:<os user>` locally, `user:<id>` through the API). */
  readonly actor: string;
  /** Writes raw text (CSV) to stdout. */
  write(text: string): void;
  /** A numeric option, validated; undefined when absent. */
  num(name: string, opts?: { min?: number; integer?: boolean }): number | undefined;
}

/** A CLI command. `name` may have two words for subcommands ("keys create"). */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Usage line after `tally <name>`, e.g. "--period YYYY-MM [--json]". */
  readonly usage?: string;
  readonly options?: Record<string, OptionSpec>;
  /**
   * Runs in the calling process even when a `tally serve` owns the store (it needs no store, or must own it:
   * catalog and estimate commands, `gateway`, `serve`, `demo`).
   */
  readonly local?: boolean;
  /** Changes the store: recorded in the audit log (who, what, when) when it succeeds. */
  readonly writes?: boolean;
  /** Whether positionals (files, SQL text) are accepted. */
  readonly positionals?: boolean;
  /** Whether this command is a report (takes --json). All commands accept --json. */
  run(ctx: CommandContext): Promise<number | void>;
}
