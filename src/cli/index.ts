/** cli: the `tally` command line. */
export { main, mainHelp, runProcess, version } from './main.js';
export { defineCommand } from './command.js';
export type { Command, CommandContext, CommandEntry, OptionSpec } from './command.js';
