import { stringify } from 'csv-stringify/sync';

/** A CSV file's media type when it goes out as an attachment. */
export const CSV_MEDIA_TYPE = 'text/csv; charset=utf-8';

/**
 * A CSV for a spreadsheet program: a header row, then one row per record in the columns' order.
 * With a BOM unless asked otherwise, because a spreadsheet program needs it to read the Latvian
 * letters as UTF-8; formulas escaped, because the cells hold names and notes typed by people.
 */
export function spreadsheetCsv<K extends string>(
  records: readonly Record<K, string | number>[],
  columns: readonly { key: K; header: string }[],
  options: { bom?: boolean } = {},
): string {
  return stringify([...records], { bom: options.bom ?? true, header: true, escape_formulas: true, columns: [...columns] });
}
