/** `tally validate FILE`: check a FOCUS file against the FOCUS 1.2 rules that matter for analysis. */
import { resolve } from 'node:path';
import { TallyError } from '../../core/index.js';
import { validateFile } from '../../ingest/index.js';
import { defineCommand } from '../command.js';

export const validateCommand = defineCommand({
  local: true,
  positionals: true,
  options: {
    strict: { type: 'boolean', description: 'exit 1 when any rule fails' },
  },
  async run(ctx) {
    const file = ctx.positionals[0];
    if (!file) throw new TallyError('invalid_input', 'give a file, e.g. tally validate focus.csv');
    const report = await validateFile(resolve(file), ctx.config().ingest);
    // The report is the answer (exit 0); --strict exits 1 when the file does not conform, for CI gates.
    const code = ctx.flag('strict') && report.errors.length > 0 ? 1 : 0;
    if (ctx.json) {
      ctx.out.json(report);
      return code;
    }
    ctx.out.line(`${report.file}: FOCUS ${report.version}, ${report.rows} rows`);
    const show = (label: string, list: typeof report.errors) => {
      if (list.length === 0) return;
      ctx.out.line(`${label}:`);
      ctx.out.table(
        list.map((f) => ({
          rule: f.rule,
          column: f.column,
          count: f.count,
          line: f.example?.line ?? null,
          example: f.example?.value ?? null,
          message: f.message,
        })),
      );
    };
    show('errors', report.errors);
    show('warnings', report.warnings);
    if (report.errors.length === 0) ctx.out.line('no errors');
    return code;
  },
});
