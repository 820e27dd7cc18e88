import { DateTime } from 'luxon';
import { t } from '../../i18n/index.js';
import { answered, refused, type ChatRegistry, type PersonContext } from '../chat/registry.js';
import type { InboundResult } from '../chat/router.js';
import { STATUS_FLOW } from '../status/status-flow.js';
import { REMINDER_ACTION_PREFIX, parseReminderAction } from './reminder-actions.js';
import { declineMeasure, snoozeReminder, type AnswerFailure } from './reminder-answers.js';
import { reminderChoices } from './reminder-messages.js';

/**
 * The buttons under a reminder: "report" opens the status flow at that measure, "remind me
 * tomorrow" snoozes every measure the person still owes in the round, "not my measure" stops the
 * reminders for that one and tells the coordinators. A pressed message loses its buttons, so the
 * answer to "not mine" offers the buttons of the measures still owed.
 */

const FAILURE_TEXT: Record<AnswerFailure, 'round.closed' | 'error.not_your_measure' | 'error.stale_button'> = {
  round_closed: 'round.closed',
  not_owner: 'error.not_your_measure',
  unknown: 'error.stale_button',
};

async function onReminderButton(ctx: PersonContext, id: string): Promise<InboundResult> {
  const lang = ctx.person.language;
  const action = parseReminderAction(id);
  if (!action) return refused({ text: t(lang, 'error.stale_button'), choices: [] });
  // The status flow reads the round and measure from the id itself (an old round's button is refused there).
  if (action.kind === 'report') return ctx.runFlow(STATUS_FLOW, { type: 'choice', id });

  const input = { roundId: action.roundId, contactId: String(ctx.person.contactId), now: DateTime.fromJSDate(ctx.now) };
  if (action.kind === 'snooze') {
    const snoozed = await snoozeReminder({ ...input, ...(action.measureId ? { measureId: action.measureId } : {}) });
    if (!snoozed.ok) return refused({ text: t(lang, FAILURE_TEXT[snoozed.reason]), choices: [] });
    return answered({ text: t(lang, 'reminder.snoozed'), choices: [] });
  }
  const produce = ctx.deps.produce ?? (async () => undefined);
  const declined = await declineMeasure({ ...input, measureId: action.measureId, produce });
  if (!declined.ok) return refused({ text: t(lang, FAILURE_TEXT[declined.reason]), choices: [] });
  return answered({
    text: t(lang, 'reminder.handed_over', { code: declined.measureCode }),
    // Nothing left to report: no lone "remind me tomorrow" that would snooze nothing.
    choices: declined.remaining.length > 0 ? reminderChoices(lang, action.roundId, declined.remaining, true) : [],
  });
}

export function registerReminderFeature(registry: ChatRegistry): void {
  registry.buttons({ prefix: REMINDER_ACTION_PREFIX, handle: onReminderButton });
}
