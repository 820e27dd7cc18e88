import { DateTime } from 'luxon';
import { t } from '../../i18n/index.js';
import { answered, refused, type ChatRegistry, type PersonContext } from '../chat/registry.js';
import type { InboundResult } from '../chat/router.js';
import { STATUS_FLOW } from '../status/status-flow.js';
import { REMINDER_ACTION_PREFIX, parseReminderAction } from './reminder-actions.js';
import { declineMeasure, snoozeReminder } from './reminder-answers.js';

/**
 * The buttons under a reminder: "report" opens the status flow at that measure, "remind me
 * tomorrow" snoozes, "not my measure" stops the reminders and tells the coordinators.
 */

async function onReminderButton(ctx: PersonContext, id: string): Promise<InboundResult> {
  const lang = ctx.person.language;
  const action = parseReminderAction(id);
  if (!action) return refused({ text: t(lang, 'error.stale_button'), choices: [] });
  // The status flow reads the round and measure from the id itself (an old round's button is refused there).
  if (action.kind === 'report') return ctx.runFlow(STATUS_FLOW, { type: 'choice', id });

  const input = { roundId: action.roundId, measureId: action.measureId, contactId: String(ctx.person.contactId), now: DateTime.fromJSDate(ctx.now) };
  const produce = ctx.deps.produce ?? (async () => undefined);
  const result = action.kind === 'snooze' ? await snoozeReminder(input) : await declineMeasure({ ...input, produce });
  if (!result.ok) {
    const key = result.reason === 'round_closed' ? 'round.closed' : result.reason === 'not_owner' ? 'error.not_your_measure' : 'error.stale_button';
    return refused({ text: t(lang, key), choices: [] });
  }
  const text = action.kind === 'snooze' ? t(lang, 'reminder.snoozed') : t(lang, 'reminder.handed_over', { code: result.measureCode });
  return answered({ text, choices: [] });
}

export function registerReminderFeature(registry: ChatRegistry): void {
  registry.buttons({ prefix: REMINDER_ACTION_PREFIX, handle: onReminderButton });
}
