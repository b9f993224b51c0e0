/** `tally ingest PATH…`: load FOCUS or Azure actual/amortized cost exports into the store. */
import { TallyError } from '../../core/index.js';
import { FORMAT_CHOICES, defaultQuarantineDir, ingestFiles, type IngestFormat } from '../../ingest/index.js';
import { defineCommand } from '../command.js';

export const ingestCommand = defineCommand({
  writes: true,
  positionals: true,
  options: {
    format: {
      type: 'string',
      description: 'auto (default), focus, azure-actual or azure-amortized',
      default: 'auto',
    },
    quarantine: { type: 'string', description: 'folder for the quarantine CSV (default: beside the store)' },
    name: {
      type: 'string',
      description:
        'the name to record for the one file given, instead of its path (the API names uploads so)',
    },
  },
  async run(ctx) {
    if (ctx.positionals.length === 0)
      throw new TallyError(
        'invalid_input',
        'give one or more files, folders or globs, e.g. tally ingest exports/',
      );
    // An unset shell variable (`tally ingest "$FILE"`) must not become "this folder".
    if (ctx.positionals.some((p) => p.trim() === ''))
      throw new TallyError('invalid_input', 'an empty path was given: name a file, folder or glob', {
        field: 'paths',
      });
    const format = ctx.str('format') ?? 'auto';
    if (!(FORMAT_CHOICES as readonly string[]).includes(format))
      throw new TallyError('invalid_input', `--format must be one of ${FORMAT_CHOICES.join(', ')}`, {
        field: 'format',
        allowed: FORMAT_CHOICES,
      });
    const store = await ctx.openStore();
    const bar = ctx.out.progress('ingest', 100);
    const res = await ingestFiles(store, {
      paths: ctx.positionals,
      format: format as IngestFormat | 'auto',
      quarantineDir: ctx.str('quarantine') ?? defaultQuarantineDir(ctx.dbPath),
      name: ctx.str('name'),
      limits: ctx.config().ingest,
      memoryLimit: ctx.config().store.memoryLimit,
      onProgress: (done, total) => bar.update(total > 0 ? (done / total) * 100 : 100),
    });
    bar.done();
    if (ctx.json) {
      ctx.out.json(res);
      return;
    }
    ctx.out.table(
      res.files.map((f) => ({
        file: f.file,
        format: f.format ? `${f.format}${f.version ? ' ' + f.version : ''}` : '',
        status: f.status,
        read: f.rowsRead,
        loaded: f.rowsLoaded,
        rejected: f.rowsRejected,
      })),
    );
    ctx.out.line(
      `${res.rowsLoaded} rows loaded, ${res.rowsRejected} rejected${res.rowsReplaced ? `, ${res.rowsReplaced} replaced by newer exports` : ''}`,
    );
    if (res.quarantine) ctx.out.note(`rejected rows (file, line, reason): ${res.quarantine}`);
  },
});
