import { DateTime } from 'luxon';
import { ReportingRoundModel, type ContactDoc, type Language } from '../../models/index.js';
import { t } from '../../i18n/index.js';
import { roundOverview, OVERVIEW_BUCKETS, type RoundOverview } from './round-overview.js';

/** The summary a coordinator reads in a chat or terminal: counts per commitment and who is overdue. */
export function overviewText(overview: RoundOverview, lang: Language): string {
  const heads = {
    lv: ['nav uzsākts', 'procesā', 'pabeigts/būtisks progress', 'atcelts', 'nav atbildes', 'kopā'],
    en: ['not started', 'in progress', 'completed/substantial', 'cancelled', 'no reply', 'total'],
  }[lang];
  const state = overview.round.state === 'open' ? (lang === 'lv' ? 'atvērta' : 'open') : lang === 'lv' ? 'slēgta' : 'closed';
  const lines = [
    `${overview.plan.key} / ${overview.round.key}: ${overview.round.title[lang] || overview.round.title.lv} (${state})`,
    `${lang === 'lv' ? 'Termiņš' : 'Deadline'}: ${DateTime.fromJSDate(overview.round.deadline, { zone: overview.round.timeZone }).toISODate()}`,
    '',
    [''.padEnd(4), ...heads].join('\t'),
  ];
  const cells = (c: RoundOverview['totals']) => [...OVERVIEW_BUCKETS.map((b) => c[b]), c.total].join('\t');
  for (const c of overview.commitments) lines.push(`${String(c.number).padEnd(4)}\t${cells(c.counts)}`);
  lines.push(`${'Σ'.padEnd(4)}\t${cells(overview.totals)}`);
  if (overview.overdue.length > 0) {
    lines.push('', lang === 'lv' ? 'Kavētās atbildes:' : 'Overdue replies:');
    for (const m of overview.overdue) {
      const owners = m.owners.map((o) => `${o.name} <${o.email}>${o.declined ? (lang === 'lv' ? ' [nav mans]' : ' [not mine]') : ''}`);
      lines.push(`  ${m.code}  ${m.institutions.join(', ')}  ${owners.join('; ') || '—'}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The overview of every open round, for the coordinator's chat command. */
export async function coordinatorOverview(contact: Pick<ContactDoc, 'language'>, now: Date): Promise<string> {
  const lang = contact.language as Language;
  const rounds = await ReportingRoundModel.find({ state: 'open' }, { _id: 1 }).sort({ deadline: 1 }).lean();
  if (rounds.length === 0) return t(lang, 'round.none_open');
  const texts: string[] = [];
  for (const round of rounds) {
    const result = await roundOverview({ roundId: round._id }, now);
    if (result.ok) texts.push(overviewText(result.overview, lang));
  }
  return texts.join('\n');
}
