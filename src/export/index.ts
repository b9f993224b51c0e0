/** export: the FOCUS export of allocated AI costs; CSV writing is core's one formula-safe writer, re-exported. */
export { csvCell, csvRecord, toCsv, type CsvValue } from '../core/index.js';
export { focusExportRows, FOCUS_EXPORT_COLUMNS } from './focus.js';
