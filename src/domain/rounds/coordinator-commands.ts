import { DateTime } from 'luxon';
import type { Types } from 'mongoose';
import { AuditEntryModel, PlanModel, ReportingRoundModel, type ContactDoc, type Language } from '../../models/index.js';
import { formatDate, t } from '../../i18n/index.js';
import { textMessage, type Attachment, type Message } from '../chat/message.js';
import { storeFile } from '../chat/files.js';
import { closeRound, extendRound, openRound, type RoundResult } from './rounds.js';
import { roundOverview } from './round-overview.js';
import { exportBaseName, overviewToCsv, overviewToHtml } from './round-export.js';
import { overviewText } from './coordinator-overview.js';
import { councilChartFile } from './council-chart.js';
import { CSV_MEDIA_TYPE } from '../spreadsheet-csv.js';

/**
 * The coordinators' chat commands: the overview of the open rounds with the council's chart, open,
 * extend and close the reporting round of the current plan, and the export of all replies for the
 * council. The same domain calls as `npm run cli -- round …`; the caller has already checked that
 * the person is a coordinator.
 *
 *   overview
 *   round open <key> <YYYY-MM-DD> <title in Latvian…>
 *   round extend <YYYY-MM-DD>
 *   round close
 *   export
 */

/** The plan coordinators work on: the newest one (the 6th plan once it is imported). */
async function currentPlan() {
  return PlanModel.findOne({}, { key: 1, timeZone: 1 }).sort({ number: -1 }).lean();
}

function roundText(lang: Language, result: RoundResult, done: 'round.opened' | 'round.extended' | 'round.closed_done'): string {
  if (!result.ok) return result.error.message[lang];
  const deadline = DateTime.fromJSDate(result.round.deadline, { zone: result.round.timeZone }).toISODate() ?? '';
  return t(lang, done, { key: result.round.key, deadline });
}

export async function roundCommand(coordinator: Pick<ContactDoc, '_id' | 'language'>, args: string, now: Date): Promise<string> {
  const lang = coordinator.language;
  const actor = String(coordinator._id);
  const plan = await currentPlan();
  if (!plan) return t(lang, 'round.no_plan');
  const [action = '', ...rest] = args.trim().split(/\s+/);
  const open = await ReportingRoundModel.findOne({ plan: plan._id, state: 'open' }, { key: 1 }).lean();

  switch (action) {
    case 'open': {
      const [key = '', date = '', ...title] = rest;
      if (!key || !date || title.length === 0) return t(lang, 'round.usage');
      const text = title.join(' ');
      const result = await openRound({ planKey: plan.key, key, title: { lv: text, en: text }, deadlineDate: date, actor, now });
      return roundText(lang, result, 'round.opened');
    }
    case 'extend': {
      const [date = ''] = rest;
      if (!date) return t(lang, 'round.usage');
      if (!open) return t(lang, 'round.none_open');
      return roundText(lang, await extendRound({ roundId: open._id }, date, actor, now), 'round.extended');
    }
    case 'close':
      if (!open) return t(lang, 'round.none_open');
      return roundText(lang, await closeRound({ roundId: open._id }, actor, now), 'round.closed_done');
    default:
      return t(lang, 'round.usage');
  }
}

/**
 * Every open round's overview as text (coordinator-overview.ts) with its chart as a picture
 * (council-chart.ts), in the coordinator's language. The chart lives here, not beside the text,
 * because the CLI imports the text module, and loading vega and the font takes about 1 s.
 */
export async function overviewCommand(coordinator: Pick<ContactDoc, 'language'>, now: Date): Promise<Message> {
  const lang = coordinator.language;
  const rounds = await ReportingRoundModel.find({ state: 'open' }, { _id: 1 }).sort({ deadline: 1 }).lean();
  if (rounds.length === 0) return textMessage(t(lang, 'round.none_open'));
  const texts: string[] = [];
  const attachments: Attachment[] = [];
  for (const round of rounds) {
    const result = await roundOverview({ roundId: round._id }, now);
    if (!result.ok) continue;
    texts.push(overviewText(result.overview, lang));
    attachments.push(await councilChartFile(result.overview, lang));
  }
  return { text: texts.join('\n'), choices: [], attachments };
}

/** The round an export is about: the open one, else the one that ended last (the council reviews closed rounds). */
async function exportRound(planId: Types.ObjectId) {
  const rounds = await ReportingRoundModel.find({ plan: planId }, { state: 1, deadline: 1 }).sort({ deadline: -1 }).lean();
  return rounds.find((r) => r.state === 'open') ?? rounds[0] ?? null;
}

/**
 * All replies of the round as two files, CSV for a spreadsheet and HTML for reading (on a phone a
 * .md file opens as raw text, tables as rows of pipes; an .html one opens in the browser), and a
 * few lines saying how far the round is. Both files come from round-export.ts, as the CLI's do.
 */
export async function exportCommand(coordinator: Pick<ContactDoc, '_id' | 'language'>, now: Date): Promise<Message> {
  const lang = coordinator.language;
  const plan = await currentPlan();
  if (!plan) return textMessage(t(lang, 'round.no_plan'));
  const round = await exportRound(plan._id);
  if (!round) return textMessage(t(lang, 'export.no_round'));
  const result = await roundOverview({ roundId: round._id }, now);
  if (!result.ok) return textMessage(result.error.message[lang]);
  const { overview } = result;
  const replied = overview.measures.filter((m) => m.reply).length;
  const missing = overview.totals.missing;
  const name = exportBaseName(overview, lang);
  const origin = `round-export:${overview.round.id}`;
  const attachments = [
    await storeFile({ name: `${name}.csv`, mediaType: CSV_MEDIA_TYPE, bytes: overviewToCsv(overview, lang), origin }),
    await storeFile({ name: `${name}.html`, mediaType: 'text/html; charset=utf-8', bytes: overviewToHtml(overview, lang), origin }),
  ];
  // Who took the replies out of the service, and when: the files hold people's names and notes.
  await AuditEntryModel.create({
    at: now,
    actor: String(coordinator._id),
    action: 'round.export',
    subject: `round:${overview.round.id}`,
    details: { files: attachments.map((a) => a.name), replies: replied },
  });
  const text = t(lang, 'export.summary', {
    title: overview.round.title[lang] || overview.round.title.lv,
    plan: overview.plan.key,
    round: overview.round.key,
    state: t(lang, overview.round.state === 'open' ? 'overview.state.open' : 'overview.state.closed'),
    deadline: formatDate(lang, overview.round.deadline, overview.round.timeZone, 'numeric'),
    replied,
    expected: replied + missing,
    missing,
  });
  return { text, choices: [], attachments };
}
