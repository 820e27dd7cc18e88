import { DateTime } from 'luxon';
import { PlanModel, ReportingRoundModel, type ContactDoc, type Language } from '../../models/index.js';
import { t } from '../../i18n/index.js';
import { closeRound, extendRound, openRound, type RoundResult } from './rounds.js';
import { roundOverview } from './round-overview.js';
import { overviewToMarkdown } from './round-export.js';

/**
 * The coordinators' chat commands besides /overview: open, extend and close the reporting round
 * of the current plan, and the export of all replies for the council. The same domain calls as
 * `npm run cli -- round …`; the caller has already checked that the person is a coordinator.
 *
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

export async function roundCommand(coordinator: ContactDoc, args: string, now: Date): Promise<string> {
  const lang = coordinator.language as Language;
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

/** All replies of the open round as the council's Markdown table. */
export async function exportCommand(coordinator: ContactDoc, now: Date): Promise<string> {
  const lang = coordinator.language as Language;
  const plan = await currentPlan();
  const open = plan ? await ReportingRoundModel.findOne({ plan: plan._id, state: 'open' }, { _id: 1 }).lean() : null;
  if (!open) return t(lang, 'round.none_open');
  const result = await roundOverview({ roundId: open._id }, now);
  return result.ok ? overviewToMarkdown(result.overview, lang) : result.error.message[lang];
}
