/** Finds the command words in argv, wherever the global options are (`tally --db X keys list`). */
import { GLOBAL_OPTIONS, type CommandEntry } from './command.js';

/** Global options written as `--db VALUE` (two tokens): their value is never a command word. */
const TAKES_VALUE = new Set(
  Object.entries(GLOBAL_OPTIONS).flatMap(([name, o]) => (o.type === 'string' ? [`--${name}`] : [])),
);

/** The command found in argv and the arguments left once its words are removed; or the first word, if any. */
export type Located =
  | { readonly entry: CommandEntry; readonly rest: string[] }
  | { readonly entry: null; readonly word: string | undefined };

/**
 * Locates a one- or two-word command. Words are the tokens that are not options, skipping the value of a global
 * option given before them; the first two decide ("keys create" before "keys"), as before.
 */
export function locateCommand(argv: readonly string[], commands: readonly CommandEntry[]): Located {
  const at: number[] = [];
  for (let i = 0; i < argv.length && at.length < 2; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (TAKES_VALUE.has(a)) i++;
    else if (!a.startsWith('-')) at.push(i);
  }
  const words = at.map((i) => argv[i]!);
  for (const n of [2, 1]) {
    if (words.length < n) continue;
    const name = words.slice(0, n).join(' ');
    const entry = commands.find((c) => c.name === name);
    if (entry) return { entry, rest: argv.filter((_, i) => !at.slice(0, n).includes(i)) };
  }
  return { entry: null, word: words[0] };
}
