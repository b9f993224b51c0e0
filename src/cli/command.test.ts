import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineCommand } from './command.js';

test('option names are checked by the compiler: a misspelt option does not compile', () => {
  const cmd = defineCommand({
    options: {
      period: { type: 'string', description: 'month' },
      csv: { type: 'boolean', description: 'csv' },
      tag: { type: 'string', multiple: true, description: 'tags' },
    },
    async run(ctx) {
      const period: string | undefined = ctx.str('period');
      const csv: boolean = ctx.flag('csv');
      const tags: string[] | undefined = ctx.values.tag;
      // @ts-expect-error: no option "peroid"
      ctx.str('peroid');
      // @ts-expect-error: no option "peroid"
      void ctx.values.peroid;
      // @ts-expect-error: --csv is a flag, not a string
      ctx.str('csv');
      // @ts-expect-error: --period is a string, not a flag
      ctx.flag('period');
      // @ts-expect-error: --tag repeats; read it from values
      ctx.num('tag');
      return period === undefined && !csv && tags === undefined ? 0 : 1;
    },
  });
  assert.deepEqual(Object.keys(cmd.options), ['period', 'csv', 'tag']);
  assert.ok(!cmd.positionals);
});
