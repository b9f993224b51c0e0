/** cli: the `tally` command line. */
export { main, mainHelp, version } from './main.js';
export type { Command, CommandContext } from './command.js';
