import { Types } from 'mongoose';
import { ContactModel, StatusReportModel, type Language, type MeasureStatus } from '../../models/index.js';
import { formatDate, localTitle, statusLabel, t } from '../../i18n/index.js';
import { choice, type Choice, type Reply } from '../chat/message.js';
import { encodeReminderAction } from '../reminders/reminder-actions.js';
import { loadOwnedMeasures, type OwnedMeasure } from './reportable-measures.js';

/** A measure on the /mine list: its open round's deadline and the last answer given for it. */
export interface MyMeasure extends OwnedMeasure {
  lastAnswer: { status: MeasureStatus; note: string; links: string[]; at: Date; roundId: string } | null;
}

export interface MyMeasures {
  language: Language;
  timeZone: string;
  measures: MyMeasure[];
}

/** The contact's measures for /mine; null when there is no such active contact. */
export async function myMeasures(contactId: string | Types.ObjectId): Promise<MyMeasures | null> {
  if (!Types.ObjectId.isValid(contactId)) return null;
  const contact = await ContactModel.findById(contactId).lean();
  if (!contact || !contact.active) return null;
  const owned = await loadOwnedMeasures(contact);
  const reports = await StatusReportModel.find({ measure: { $in: owned.map((m) => new Types.ObjectId(m.id)) } }).lean();

  const last = new Map<string, MyMeasure['lastAnswer']>();
  for (const report of reports) {
    const at = report.revisions.at(-1)?.at ?? report.updatedAt;
    const key = String(report.measure);
    const known = last.get(key);
    if (!known || known.at < at) {
      last.set(key, {
        status: report.status,
        note: report.note,
        links: [...report.links],
        at,
        roundId: String(report.round),
      });
    }
  }
  return {
    language: contact.language,
    timeZone: contact.timeZone,
    measures: owned.map((m) => ({ ...m, lastAnswer: last.get(m.id) ?? null })),
  };
}

/** One measure's paragraph: code and title, deadline, last answer (shared by /mine and Slack's Home tab). */
export function myMeasureText(m: MyMeasure, lang: Language, timeZone: string): string {
  return t(lang, 'mine.item', {
    code: m.code,
    title: localTitle(m.title, lang),
    deadline: m.round ? formatDate(lang, m.round.deadline, timeZone) : t(lang, 'mine.no_round'),
    last: m.lastAnswer
      ? t(lang, 'mine.last', { status: statusLabel(lang, m.lastAnswer.status), date: formatDate(lang, m.lastAnswer.at, timeZone) })
      : t(lang, 'mine.no_answer'),
  });
}

/** The /mine answer: one paragraph per measure and a "report" button for each open one. */
export function renderMyMeasures(mine: MyMeasures): Reply {
  const { language: lang, timeZone } = mine;
  if (mine.measures.length === 0) return { text: t(lang, 'measures.none'), choices: [] };
  const paragraphs = mine.measures.map((m) => myMeasureText(m, lang, timeZone));
  const choices: Choice[] = mine.measures.flatMap((m) =>
    m.round
      ? [choice(encodeReminderAction({ kind: 'report', roundId: m.round.id, measureId: m.id }), t(lang, 'mine.report_button', { code: m.code }))]
      : [],
  );
  const header = t(lang, 'mine.header', { measures: t(lang, 'count.measures', { count: mine.measures.length }) });
  return { text: [header, ...paragraphs].join('\n\n'), choices };
}
