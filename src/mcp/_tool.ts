/** What a tool is: a name, a description, bounded arguments (zod, shown as JSON Schema) and a permission. */
import { z } from 'zod';
import type { Permission, Principal } from '../api/index.js';

/** What a running tool can use. The caller's scope is in `principal` (from its token), never in arguments. */
export interface ToolContext {
  readonly principal: Principal;
  /** Runs a CLI report (`argv` without --json) as the principal and returns the JSON document it prints. */
  report(argv: readonly string[]): Promise<unknown>;
  now(): Date;
}

/** One tool. */
export interface Tool {
  readonly name: string;
  readonly description: string;
  /** Who may see and call it (the API's permission table). */
  readonly permission: Permission;
  /** Arguments: a strict object, every field bounded and described. */
  readonly input: z.ZodObject;
  /** Runs with arguments already validated by `input`. */
  run(args: unknown, ctx: ToolContext): Promise<unknown>;
}

/** Defines a tool whose `run` sees its arguments typed by its schema. */
export function defineTool<S extends z.ZodObject>(def: {
  name: string;
  description: string;
  permission: Permission;
  input: S;
  run(args: z.output<S>, ctx: ToolContext): Promise<unknown>;
}): Tool {
  return { ...def, run: (args, ctx) => def.run(def.input.parse(args), ctx) };
}

/** The JSON Schema of a tool's arguments (MCP `inputSchema`, OpenAI `parameters`). */
export function inputJsonSchema(tool: Tool): Record<string, unknown> {
  const schema = z.toJSONSchema(tool.input, { io: 'input' }) as Record<string, unknown>;
  delete schema['$schema'];
  return schema;
}

// Argument building blocks, each bounded.
export const day = (what: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a UTC date YYYY-MM-DD')
    .describe(`${what} (UTC date YYYY-MM-DD)`);
export const month = (what: string) =>
  z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a UTC month YYYY-MM')
    .describe(`${what} (UTC calendar month YYYY-MM)`);
export const limit = (def: number, max: number, what = 'rows') =>
  z.number().int().min(1).max(max).default(def).describe(`at most this many ${what} (1-${max})`);
export const column = z
  .string()
  .regex(/^(?:[A-Za-z][A-Za-z0-9_]{0,63}|Tags\.[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63})$/, 'a column name')
  .describe('a FOCUS or x_ column name, or a tag: team, app or Tags.<key> (see get_dimensions)');

/** `--name=value` pairs for the options that are set (values can never become other options). */
export function opts(values: Record<string, string | number | boolean | undefined>): string[] {
  return Object.entries(values).flatMap(([k, v]) =>
    v === undefined || v === false ? [] : v === true ? [`--${k}`] : [`--${k}=${String(v)}`],
  );
}
