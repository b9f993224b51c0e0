/**
 * The API builds command lines for the CLI's commands; a parameter mapped onto an option the command does not
 * have fails only at run time, through a real server (the API's unit tests fake the command runner). So every
 * report parameter's option must exist on its command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPORTS } from '../src/api/index.js';
import { COMMANDS } from '../src/cli/commands/index.js';
import { GLOBAL_OPTIONS } from '../src/cli/command.js';

test('every API report parameter maps onto an option its command defines', async () => {
  const missing: string[] = [];
  for (const [name, spec] of Object.entries(REPORTS)) {
    const entry = COMMANDS.find((c) => c.name === spec.command.join(' '));
    assert.ok(entry, `${name}: no command "${spec.command.join(' ')}"`);
    const command = await entry.load();
    const options = { ...GLOBAL_OPTIONS, ...command.options } as Record<string, unknown>;
    for (const [param, p] of Object.entries(spec.params))
      if (!(p.flag in options)) missing.push(`${name}?${param} -> --${p.flag}`);
  }
  assert.deepEqual(missing, []);
});
