import type { Language } from '../../models/index.js';
import { localTitle, t } from '../../i18n/index.js';
import type { Choice } from '../chat/message.js';
import { encodeReminderAction } from './reminder-actions.js';

/**
 * What a reminder and a coordinators' overdue notice say, as pure functions of what is listed.
 * A person owing several measures at one step gets one message listing them all; with one measure
 * it reads as it always did. Dates come formatted (numeric, in the plan's zone).
 */

export interface ListedMeasure {
  id: string;
  code: string;
  title: { lv: string; en?: string | null };
}

function listText(lang: Language, measures: readonly ListedMeasure[]): string {
  return measures.map((m) => t(lang, 'reminder.item', { code: m.code, title: localTitle(m.title, lang) })).join('\n');
}

export function reminderText(lang: Language, args: { date: string; overdue: boolean; measures: readonly ListedMeasure[] }): string {
  const { date, overdue, measures } = args;
  const [only] = measures;
  if (measures.length === 1 && only) {
    const params = { date, code: only.code, title: localTitle(only.title, lang) };
    return overdue ? t(lang, 'reminder.overdue', params) : t(lang, 'reminder.text', params);
  }
  const list = listText(lang, measures);
  return overdue ? t(lang, 'reminder.overdue_many', { date, list }) : t(lang, 'reminder.text_many', { date, list });
}

/**
 * "Report" per measure, one "remind me tomorrow", "not mine" per measure, in that order (the
 * order of one measure's three buttons). The labels name the code when more than one measure is
 * listed, or when `named` asks for it (buttons offered under another text).
 */
export function reminderChoices(lang: Language, roundId: string, measures: readonly Pick<ListedMeasure, 'id' | 'code'>[], named = measures.length > 1): Choice[] {
  const per = (kind: 'report' | 'decline') =>
    measures.map((m) => ({
      id: encodeReminderAction({ kind, roundId, measureId: m.id }),
      label: named
        ? t(lang, kind === 'report' ? 'reminder.button.report_measure' : 'reminder.button.not_mine_measure', { code: m.code })
        : t(lang, kind === 'report' ? 'reminder.button.report' : 'reminder.button.not_mine'),
    }));
  return [...per('report'), { id: encodeReminderAction({ kind: 'snooze', roundId }), label: t(lang, 'reminder.button.tomorrow') }, ...per('decline')];
}

/** "Anna Ozola (VK), Juris Kalns (VARAM)". */
export function ownersText(owners: readonly { name: string; institution?: string | null }[]): string {
  return owners.map((o) => (o.institution ? `${o.name} (${o.institution})` : o.name)).join(', ');
}

/** The coordinators' notice: the measures that reached the step that tells them, each with its owners. */
export function overdueNoticeText(lang: Language, date: string, items: readonly { measure: ListedMeasure; owners: string }[]): string {
  const [only] = items;
  if (items.length === 1 && only) {
    return t(lang, 'coordinator.overdue', { code: only.measure.code, title: localTitle(only.measure.title, lang), date, owners: only.owners });
  }
  const list = items
    .map(({ measure, owners }) => t(lang, 'coordinator.overdue_item', { code: measure.code, title: localTitle(measure.title, lang), owners }))
    .join('\n');
  return t(lang, 'coordinator.overdue_many', { date, list });
}
