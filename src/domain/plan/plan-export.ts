import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import { formatDate, statusLabel } from '../../i18n/index.js';
import { MeasureModel } from '../../models/measure.js';
import { councilGroup, type CouncilGroup, type MeasureStatus } from '../../models/measure-status.js';
import { PlanModel } from '../../models/plan.js';
import type { ImportProblem } from './plan-import-problem.js';

/**
 * The table the supervisory council reviews: every measure of a plan with its current status,
 * as CSV (for spreadsheets) or Markdown (for the meeting papers).
 */

export interface PlanStatusRow {
  commitment: number;
  code: string;
  titleLv: string;
  titleEn: string;
  institutions: string[];
  status: MeasureStatus | null;
  statusLabelLv: string;
  note: string;
  asOf: Date | null;
}

export interface PlanStatusTable {
  plan: { key: string; title: { lv: string; en: string }; timeZone: string };
  rows: PlanStatusRow[];
}

export type ExportResult = { ok: true; text: string; rows: number } | { ok: false; problems: ImportProblem[] };

export const PLAN_CSV_COLUMNS = ['commitment', 'code', 'title_lv', 'title_en', 'institutions', 'status', 'status_label_lv', 'note', 'as_of'] as const;

/** The plan's measures in plan order with their current status; null when there is no such plan. */
async function loadPlanStatusTable(planKey: string): Promise<PlanStatusTable | null> {
  const plan = await PlanModel.findOne({ key: planKey }).lean();
  if (!plan) return null;
  const measures = await MeasureModel.find({ plan: plan._id }).sort({ order: 1 }).lean();
  return {
    plan: { key: plan.key, title: { lv: plan.title.lv, en: plan.title.en ?? '' }, timeZone: plan.timeZone },
    rows: measures.map((m) => {
      const status = m.currentStatus?.status ?? null;
      return {
        commitment: m.commitmentNumber,
        code: m.code,
        titleLv: m.title.lv,
        titleEn: m.title.en ?? '',
        institutions: m.institutions,
        status,
        statusLabelLv: status ? statusLabel('lv', status) : '',
        note: m.currentStatus?.note ?? '',
        asOf: m.currentStatus?.asOf ?? null,
      };
    }),
  };
}

const noPlan = (planKey: string): ExportResult => ({
  ok: false,
  problems: [{ field: 'plan', message: `there is no plan '${planKey}'; import its plan file first (import-plan)` }],
});

const isoDay = (when: Date | null, zone: string) => (when ? (DateTime.fromJSDate(when, { zone }).toISODate() ?? '') : '');

export interface CsvExportOptions {
  /** Start with a UTF-8 byte order mark so that spreadsheet programs read ā, č, ē… correctly. */
  bom?: boolean;
}

export async function exportPlanCsv(planKey: string, options: CsvExportOptions = {}): Promise<ExportResult> {
  const table = await loadPlanStatusTable(planKey);
  if (!table) return noPlan(planKey);
  const text = stringify(
    table.rows.map((row) => [
      row.commitment,
      row.code,
      row.titleLv,
      row.titleEn,
      row.institutions.join('; '),
      row.status ?? '',
      row.statusLabelLv,
      row.note,
      isoDay(row.asOf, table.plan.timeZone),
    ]),
    { header: true, columns: [...PLAN_CSV_COLUMNS], bom: options.bom ?? false },
  );
  return { ok: true, text, rows: table.rows.length };
}

/** "3 pasākumi nav uzsākti", "1 pasākums nav uzsākts": the council slide's wording, with agreement. */
const GROUP_SENTENCES: Record<CouncilGroup | 'none', [one: string, many: string]> = {
  not_started: ['pasākums nav uzsākts', 'pasākumi nav uzsākti'],
  completed_or_substantial: ['pasākums pabeigts vai ir būtisks progress', 'pasākumi pabeigti vai ir būtisks progress'],
  in_progress: ['pasākums uzsākts un izpilde ir procesā', 'pasākumi uzsākti un izpilde ir procesā'],
  none: ['pasākums bez statusa vai atcelts', 'pasākumi bez statusa vai atcelti'],
};
const takesSingular = (n: number) => n % 10 === 1 && n % 100 !== 11;
const countSentence = (n: number, [one, many]: [string, string]) => `${n} ${takesSingular(n) ? one : many}`;

const cell = (value: string) => value.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');

export async function exportPlanMarkdown(planKey: string): Promise<ExportResult> {
  const table = await loadPlanStatusTable(planKey);
  if (!table) return noPlan(planKey);
  const zone = table.plan.timeZone;
  const groups = { not_started: 0, completed_or_substantial: 0, in_progress: 0, none: 0 };
  for (const row of table.rows) groups[(row.status && councilGroup(row.status)) || 'none'] += 1;
  const dates = table.rows.flatMap((row) => (row.asOf ? [row.asOf.getTime()] : []));
  const latest = dates.length > 0 ? new Date(Math.max(...dates)) : null;

  const lines = [`# ${table.plan.title.lv}`, ''];
  if (table.plan.title.en) lines.push(`*${table.plan.title.en}*`, '');
  if (latest) lines.push(`Pasākumu izpilde uz ${formatDate('lv', latest, zone, 'numeric')} (status as of ${isoDay(latest, zone)})`, '');
  lines.push(`- ${countSentence(table.rows.length, ['pasākums', 'pasākumi'])}:`);
  for (const group of ['not_started', 'completed_or_substantial', 'in_progress', 'none'] as const) {
    if (groups[group] > 0 || group !== 'none') lines.push(`  - ${countSentence(groups[group], GROUP_SENTENCES[group])}`);
  }
  lines.push(
    '',
    '| Apņemšanās | Kods | Nosaukums | Title | Atbildīgās institūcijas | Statuss | Statusa nosaukums | Piezīme | Uz datumu |',
    '|---:|---|---|---|---|---|---|---|---|',
  );
  for (const row of table.rows) {
    const cells = [
      String(row.commitment),
      row.code,
      row.titleLv,
      row.titleEn,
      row.institutions.join(', '),
      row.status ?? '',
      row.statusLabelLv,
      row.note,
      row.asOf ? formatDate('lv', row.asOf, zone, 'numeric') : '',
    ];
    lines.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return { ok: true, text: `${lines.join('\n')}\n`, rows: table.rows.length };
}
