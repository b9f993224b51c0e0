/** export: CSV writing (spreadsheet-safe when asked) and the FOCUS export of allocated AI costs. */
export { csvCell, toCsv, type CsvValue } from './csv.js';
export { focusExportRows, FOCUS_EXPORT_COLUMNS } from './focus.js';
