import type { Language } from '../../models/index.js';
import { formatDate, t, truncate } from '../../i18n/index.js';
import { OVERVIEW_BUCKETS, type BucketCounts, type MeasureRow, type RoundOverview } from './round-overview.js';

/**
 * The summary a coordinator reads in a chat (or the CLI's terminal): per commitment its counts,
 * then who is overdue. Chat apps show plain text in a proportional font on a screen about 35–40
 * characters wide, where tabs and space-padded columns do not line up. So each count is its own
 * line, number first, padded with FIGURE SPACE (U+2007, as wide as a digit): the numbers and the
 * labels after them line up in any font with tabular digits, which the phone system fonts have.
 * Titles are cut to the width; only a long e-mail address may wrap.
 */

export const OVERVIEW_WIDTH = 38;
const FIGURE_SPACE = '\u2007';

function countLines(counts: BucketCounts, lang: Language, digits: number): string[] {
  const line = (n: number, label: string) => `${String(n).padStart(digits, FIGURE_SPACE)} ${label}`;
  return [...OVERVIEW_BUCKETS.map((b) => line(counts[b], t(lang, `overview.bucket.${b}`))), line(counts.total, t(lang, 'overview.total'))];
}

function overdueLines(m: MeasureRow, lang: Language): string[] {
  const heading = truncate(`${m.code} ${m.title[lang] || m.title.lv}`, OVERVIEW_WIDTH);
  const institutions = m.institutions.length > 0 ? [`  ${m.institutions.join(', ')}`] : [];
  const owners = m.owners.flatMap((o) => [`  ${o.name}${o.declined ? ` ${t(lang, 'overview.declined')}` : ''}`, `    ${o.email}`]);
  return [heading, ...institutions, ...(owners.length > 0 ? owners : [`  ${t(lang, 'overview.no_owner')}`])];
}

export function overviewText(overview: RoundOverview, lang: Language): string {
  const { round, plan } = overview;
  const digits = String(overview.totals.total).length;
  const lines = [
    t(lang, 'overview.heading', {
      title: truncate(round.title[lang] || round.title.lv, OVERVIEW_WIDTH - 2),
      plan: plan.key,
      round: round.key,
      state: t(lang, round.state === 'open' ? 'overview.state.open' : 'overview.state.closed'),
      deadline: formatDate(lang, round.deadline, round.timeZone, 'numeric'),
    }),
  ];
  for (const c of overview.commitments) {
    lines.push('', truncate(`${c.number}. ${c.title[lang] || c.title.lv}`, OVERVIEW_WIDTH), ...countLines(c.counts, lang, digits));
  }
  lines.push('', t(lang, 'overview.all_commitments'), ...countLines(overview.totals, lang, digits));
  if (overview.overdue.length > 0) {
    lines.push('', t(lang, 'overview.overdue'));
    for (const m of overview.overdue) lines.push(...overdueLines(m, lang));
  }
  return `${lines.join('\n')}\n`;
}
