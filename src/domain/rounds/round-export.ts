import { DateTime } from 'luxon';
import { stringify } from 'csv-stringify/sync';
import type { Language } from '../../models/index.js';
import { formatDate, statusLabel } from '../../i18n/index.js';
import type { Bilingual } from './rounds.js';
import { OVERVIEW_BUCKETS, type OwnerRow, type RoundOverview } from './round-overview.js';

/**
 * A round's overview as the files coordinators pass on: CSV for spreadsheets, Markdown for the
 * council's papers. The column names are part of the file format, so they live here rather than in
 * the chat catalogues.
 */

const LABELS = {
  lv: {
    commitment: 'Apņemšanās',
    measure: 'Pasākums',
    title: 'Nosaukums',
    institutions: 'Atbildīgās institūcijas',
    owners: 'Kontaktpersonas',
    status: 'Statuss',
    statusCode: 'Statusa kods',
    note: 'Progress',
    links: 'Saites',
    author: 'Ziņoja',
    authorInstitution: 'Ziņotāja institūcija',
    at: 'Atbildes laiks',
    revisions: 'Labojumi',
    not_started: 'Nav uzsākts',
    in_progress: 'Uzsākts, procesā',
    completed_or_substantial: 'Pabeigts vai būtisks progress',
    cancelled: 'Atcelts',
    missing: 'Nav atbildes',
    total: 'Kopā',
    deadline: 'Termiņš',
    generated: 'Sagatavots',
    overdue: 'Kavētās atbildes',
    none: 'nav',
    declined: 'nav mans',
  },
  en: {
    commitment: 'Commitment',
    measure: 'Measure',
    title: 'Title',
    institutions: 'Responsible institutions',
    owners: 'Contact persons',
    status: 'Status',
    statusCode: 'Status code',
    note: 'Progress',
    links: 'Links',
    author: 'Reported by',
    authorInstitution: "Reporter's institution",
    at: 'Replied at',
    revisions: 'Revisions',
    not_started: 'Not started',
    in_progress: 'Started, in progress',
    completed_or_substantial: 'Completed or substantial progress',
    cancelled: 'Cancelled',
    missing: 'No reply',
    total: 'Total',
    deadline: 'Deadline',
    generated: 'Generated',
    overdue: 'Overdue replies',
    none: 'none',
    declined: 'not mine',
  },
} as const;

function ownersText(owners: OwnerRow[], lang: Language): string {
  return owners
    .map((o) => `${o.name}${o.institution ? ` (${o.institution})` : ''}${o.declined ? ` [${LABELS[lang].declined}]` : ''}`)
    .join('; ');
}

function stamp(when: Date, zone: string): string {
  return DateTime.fromJSDate(when, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

/**
 * One row per measure, replies and missing ones alike, in the plan's order. A file opened in a
 * spreadsheet program needs the BOM to read the Latvian letters as UTF-8. Formulas are escaped
 * because the notes are free text typed by people.
 */
export function overviewToCsv(overview: RoundOverview, lang: Language = 'lv', options: { bom?: boolean } = {}): string {
  const L = LABELS[lang];
  const zone = overview.round.timeZone;
  const records = overview.measures.map((m) => ({
    commitment: m.commitmentNumber,
    measure: m.code,
    title: m.title[lang] || m.title.lv,
    institutions: m.institutions.join(', '),
    owners: ownersText(m.owners, lang),
    statusCode: m.reply?.status ?? m.bucket,
    status: m.reply ? statusLabel(lang, m.reply.status) : L[m.bucket],
    note: m.reply?.note ?? '',
    links: m.reply?.links.join(' ') ?? '',
    author: m.reply?.authorName ?? '',
    authorInstitution: m.reply?.authorInstitution ?? '',
    at: m.reply ? stamp(m.reply.at, zone) : '',
    revisions: m.reply?.revisions ?? 0,
  }));
  const keys = ['commitment', 'measure', 'title', 'institutions', 'owners', 'status', 'statusCode', 'note', 'links', 'author', 'authorInstitution', 'at', 'revisions'] as const;
  return stringify(records, {
    bom: options.bom ?? true,
    header: true,
    escape_formulas: true,
    columns: keys.map((key) => ({ key, header: L[key] })),
  });
}

/** Markdown table cells: one line, no column breaks, and people's text never becomes HTML. */
function cell(text: string | number): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

function row(cells: (string | number)[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

export function overviewToMarkdown(overview: RoundOverview, lang: Language = 'lv'): string {
  const L = LABELS[lang];
  const zone = overview.round.timeZone;
  const pick = (b: Bilingual) => b[lang] || b.lv;
  const buckets = OVERVIEW_BUCKETS;
  const lines = [
    `# ${pick(overview.plan.title)}: ${pick(overview.round.title)}`,
    '',
    `${L.deadline}: ${formatDate(lang, overview.round.deadline, zone, 'numeric')} · ${L.generated}: ${stamp(overview.generatedAt, zone)}`,
    '',
    row([L.commitment, ...buckets.map((b) => L[b]), L.total]),
    row(['---', ...buckets.map(() => '---:'), '---:']),
    ...overview.commitments.map((c) => row([`${c.number}. ${pick(c.title)}`, ...buckets.map((b) => c.counts[b]), c.counts.total])),
    row([L.total, ...buckets.map((b) => overview.totals[b]), overview.totals.total]),
  ];
  if (overview.overdue.length > 0) {
    lines.push('', `## ${L.overdue}`, '');
    for (const m of overview.overdue) lines.push(`- ${m.code} ${pick(m.title)}: ${ownersText(m.owners, lang) || L.none}`);
  }
  for (const c of overview.commitments) {
    const rows = overview.measures.filter((m) => m.commitmentNumber === c.number);
    if (rows.length === 0) continue;
    lines.push('', `## ${c.number}. ${pick(c.title)}`, '');
    lines.push(row([L.measure, L.title, L.institutions, L.status, L.note, L.links, L.author, L.at]));
    lines.push(row(['---', '---', '---', '---', '---', '---', '---', '---']));
    for (const m of rows) {
      lines.push(
        row([
          m.code,
          pick(m.title),
          m.institutions.join(', '),
          m.reply ? statusLabel(lang, m.reply.status) : L[m.bucket],
          m.reply?.note ?? '',
          m.reply?.links.join(' ') ?? '',
          m.reply ? `${m.reply.authorName}${m.reply.authorInstitution ? ` (${m.reply.authorInstitution})` : ''}` : '',
          m.reply ? stamp(m.reply.at, zone) : '',
        ]),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
