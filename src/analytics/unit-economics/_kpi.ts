/**
 * Business KPI input: a CSV of date, app and/or team (or group: a declared group of apps), metric, value (orders,
 * revenue, tickets resolved...).
 */
import { readFileSync } from 'node:fs';
import { TallyError, parseCsv, parseUsd } from '../../core/index.js';
import type { KpiValue } from './unit-economics.js';

/**
 * Reads a KPI CSV file; names the file, line and column of anything malformed. A `group` cell must name a group
 * declared in `unitEconomics.groups` (`groups`), and a row gives a group or an app, not both.
 */
export function readKpiFile(path: string, groups: ReadonlySet<string> = new Set()): KpiValue[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    throw new TallyError('invalid_input', `--kpi ${path}: cannot read (${(err as Error).message})`, {
      file: path,
    });
  }
  const [header, ...rows] = parseCsv(text);
  const cols = (header ?? []).map((h) => h.trim().toLowerCase());
  const at = (name: string) => cols.indexOf(name);
  const iDate = at('date') >= 0 ? at('date') : at('day');
  const [iApp, iTeam, iGroup, iMetric, iValue] = ['app', 'team', 'group', 'metric', 'value'].map(at) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (iDate < 0 || iMetric < 0 || iValue < 0 || (iApp < 0 && iTeam < 0 && iGroup < 0))
    throw new TallyError(
      'invalid_input',
      `--kpi ${path}: the header must have date, app, team and/or group, metric and value (found: ${cols.join(', ')})`,
      { file: path },
    );
  return rows.map((r, n) => {
    const line = n + 2;
    const date = (r[iDate] ?? '').trim();
    if (!/^\d{4}-\d{2}-\d{2}/.test(date))
      throw new TallyError('invalid_input', `--kpi ${path}:${line}: date "${date}" is not YYYY-MM-DD`, {
        file: path,
        line,
      });
    let value;
    try {
      value = parseUsd((r[iValue] ?? '').trim());
    } catch {
      throw new TallyError(
        'invalid_input',
        `--kpi ${path}:${line}: value "${r[iValue] ?? ''}" is not a number`,
        { file: path, line },
      );
    }
    const text = (i: number) => (i >= 0 && (r[i] ?? '').trim() !== '' ? r[i]!.trim() : null);
    const group = text(iGroup);
    if (group !== null && !groups.has(group))
      throw new TallyError(
        'invalid_input',
        `--kpi ${path}:${line}: group "${group}" is not declared; add it to tally.yaml (unitEconomics: { groups: { ${group}: { apps: [APP, ...] } } }) or put the KPI on an app or team`,
        { file: path, line, group },
      );
    if (group !== null && text(iApp) !== null)
      throw new TallyError(
        'invalid_input',
        `--kpi ${path}:${line}: give a group or an app, not both (a group's KPI pays for all of its apps)`,
        { file: path, line },
      );
    if (group === null && text(iApp) === null && text(iTeam) === null)
      throw new TallyError(
        'invalid_input',
        `--kpi ${path}:${line}: the KPI belongs to nobody; fill in its app, team or group`,
        { file: path, line },
      );
    return {
      day: date.slice(0, 10),
      app: text(iApp),
      team: text(iTeam),
      group,
      metric: (r[iMetric] ?? '').trim(),
      value,
    };
  });
}
