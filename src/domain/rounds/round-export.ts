import { DateTime } from 'luxon';
import type { Language } from '../../models/index.js';
import { formatDate, statusLabel } from '../../i18n/index.js';
import { spreadsheetCsv } from '../spreadsheet-csv.js';
import type { Bilingual } from './rounds.js';
import { OVERVIEW_BUCKETS, type OwnerRow, type RoundOverview } from './round-overview.js';

/**
 * A round's overview as the files coordinators pass on: CSV for spreadsheets, Markdown for the
 * council's papers, HTML for reading on a phone (the chat's /export sends CSV and HTML). The column
 * names are part of the file format, so they live here rather than in the chat catalogues.
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
    replies: 'atbildes',
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
    replies: 'replies',
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
 * One row per measure, replies and missing ones alike, in the plan's order, for a spreadsheet
 * (spreadsheet-csv.ts: BOM, formulas escaped).
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
  return spreadsheetCsv(records, keys.map((key) => ({ key, header: L[key] })), options);
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

/** File names that survive every platform and mail gateway: ASCII letters, digits and `-`. */
function asciiSlug(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase() || 'x'
  );
}

/** `ogp-lv-nap-5-2025-<what>` (no extension): the name of a file about the round, `what` it holds. */
export function roundFileBase(overview: RoundOverview, what: string): string {
  return `ogp-${asciiSlug(overview.plan.key)}-${asciiSlug(overview.round.key)}-${asciiSlug(what)}`;
}

/** `ogp-lv-nap-5-2025-atbildes` (no extension). */
export function exportBaseName(overview: RoundOverview, lang: Language = 'lv'): string {
  return roundFileBase(overview, LABELS[lang].replies);
}

function html(text: string | number): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Links were checked when reported, but the file is opened in a browser: only http(s) becomes a link. */
function linkHtml(url: string): string {
  return /^https?:\/\//i.test(url) ? `<a href="${html(url)}">${html(url)}</a>` : html(url);
}

/**
 * Phones open an .html attachment in the browser, which lays it out for the screen; a .md file
 * opens as raw text, where a table is rows of pipes again. So: one self-contained page, no
 * scripts, no outside resources. The summary puts the commitments across (numbers are narrow)
 * and the buckets down; every measure is a short card rather than a row of eight columns.
 */
const STYLE = `body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;max-width:46rem;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.8rem 0 .6rem;border-bottom:1px solid #ccc}h3{font-size:1rem;margin:0 0 .3rem}
.meta{color:#555}.scroll{overflow-x:auto}table{border-collapse:collapse}th,td{padding:.3rem .45rem;border-bottom:1px solid #ddd;text-align:right}
th:first-child,td:first-child{text-align:left}tr.total td,tr.total th{font-weight:bold}
.card{border-left:4px solid #9aa;padding:.3rem .7rem;margin:.8rem 0}.card.missing{border-color:#c33}.card.completed_or_substantial{border-color:#2a7}
.card.in_progress{border-color:#d90}.card.not_started{border-color:#888}dl{margin:.2rem 0;display:grid;grid-template-columns:auto 1fr;gap:.1rem .6rem}
dt{color:#555}dd{margin:0}.note{white-space:pre-wrap;margin:.3rem 0}a{word-break:break-all}`;

export function overviewToHtml(overview: RoundOverview, lang: Language = 'lv'): string {
  const L = LABELS[lang];
  const zone = overview.round.timeZone;
  const pick = (b: Bilingual) => b[lang] || b.lv;
  const title = `${pick(overview.plan.title)}: ${pick(overview.round.title)}`;
  const out = [
    '<!doctype html>',
    `<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${html(title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${html(title)}</h1>`,
    `<p class="meta">${html(L.deadline)}: ${html(formatDate(lang, overview.round.deadline, zone, 'numeric'))} · ${html(L.generated)}: ${html(stamp(overview.generatedAt, zone))}</p>`,
    '<div class="scroll"><table><thead><tr>',
    `<th>${html(L.commitment)}</th>${overview.commitments.map((c) => `<th><a href="#c${c.number}">${c.number}.</a></th>`).join('')}<th>${html(L.total)}</th>`,
    '</tr></thead><tbody>',
    ...[...OVERVIEW_BUCKETS, 'total' as const].map(
      (b) =>
        `<tr${b === 'total' ? ' class="total"' : ''}><th>${html(L[b])}</th>${overview.commitments.map((c) => `<td>${c.counts[b]}</td>`).join('')}<td>${overview.totals[b]}</td></tr>`,
    ),
    '</tbody></table></div>',
  ];
  if (overview.overdue.length > 0) {
    out.push(`<h2>${html(L.overdue)}</h2><ul>`);
    for (const m of overview.overdue) out.push(`<li>${html(`${m.code} ${pick(m.title)}: ${ownersText(m.owners, lang) || L.none}`)}</li>`);
    out.push('</ul>');
  }
  for (const c of overview.commitments) {
    const rows = overview.measures.filter((m) => m.commitmentNumber === c.number);
    if (rows.length === 0) continue;
    out.push(`<h2 id="c${c.number}">${html(`${c.number}. ${pick(c.title)}`)}</h2>`);
    for (const m of rows) {
      const facts: [string, string][] = [
        [L.status, html(m.reply ? statusLabel(lang, m.reply.status) : L[m.bucket])],
        [L.institutions, html(m.institutions.join(', ') || L.none)],
        [L.owners, html(ownersText(m.owners, lang) || L.none)],
      ];
      if (m.reply) {
        const author = `${m.reply.authorName}${m.reply.authorInstitution ? ` (${m.reply.authorInstitution})` : ''}`;
        facts.push([L.author, html(author)], [L.at, html(stamp(m.reply.at, zone))]);
        if (m.reply.links.length > 0) facts.push([L.links, m.reply.links.map(linkHtml).join('<br>')]);
      }
      out.push(
        `<section class="card ${m.bucket}"><h3>${html(`${m.code} ${pick(m.title)}`)}</h3>`,
        `<dl>${facts.map(([k, v]) => `<dt>${html(k)}</dt><dd>${v}</dd>`).join('')}</dl>`,
        ...(m.reply?.note ? [`<p class="note">${html(m.reply.note)}</p>`] : []),
        '</section>',
      );
    }
  }
  out.push('</body></html>');
  return `${out.join('\n')}\n`;
}
