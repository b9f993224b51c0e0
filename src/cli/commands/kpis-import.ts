/**
 * `tally kpis import FILE.csv`: stores business KPIs (date, app/team/group, metric, value) in the store, so
 * `tally unit-economics`, the API and the dashboard read them without a `--kpi` file. A group's KPI keeps its
 * group (ADR 0041); the file is checked against `unitEconomics.groups` as `--kpi` is.
 */
import { basename, resolve } from 'node:path';
import { TallyError, nanosToDecimalString } from '../../core/index.js';
import { readKpiFile } from '../../analytics/index.js';
import { defineCommand } from '../command.js';

export const kpisImportCommand = defineCommand({
  writes: true,
  positionals: true,
  options: {
    source: {
      type: 'string',
      description: 'name of this import (default: the file name); re-importing a source replaces its rows',
    },
  },
  async run(ctx) {
    const file = ctx.positionals[0];
    if (!file || ctx.positionals.length > 1)
      throw new TallyError('invalid_input', 'give one KPI CSV file', { field: 'file' });
    const path = resolve(file);
    const kpis = readKpiFile(path, new Set(Object.keys(ctx.config().unitEconomics.groups)));
    // The demo's rows are its own (`tally demo` replaces them); an import named like them would be lost.
    const source = `kpi:${ctx.str('source') ?? basename(path)}`;
    const store = await ctx.openStore();
    await store.deleteKpis(source);
    await store.insertKpis(
      kpis.map((k) => ({
        day: k.day,
        app: k.app,
        team: k.team,
        group: k.group,
        metric: k.metric,
        value: nanosToDecimalString(k.value),
        source,
      })),
    );
    const groups = new Set(kpis.flatMap((k) => (k.group === null ? [] : [k.group])));
    if (ctx.json) return ctx.out.json({ file: path, source, rows: kpis.length, groups: [...groups].sort() });
    ctx.out.line(
      `Stored ${kpis.length} KPI values from ${path} as ${source}${groups.size ? ` (groups: ${[...groups].sort().join(', ')})` : ''}.`,
    );
  },
});
