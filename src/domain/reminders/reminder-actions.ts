/**
 * The ids of the buttons under a reminder. Both adapters put them on the button as they are
 * (Telegram `callback_data`, Slack `action_id`/`value`) and hand them back to the domain, so the
 * format lives here once. Telegram limits callback data to 64 bytes: `rm:r:<round>:<measure>` with
 * two ObjectIds is 54 ASCII bytes. The round is part of the id so that a button under an old
 * reminder never acts on a later round's measure.
 *
 * One reminder lists every measure a person owes at that step, with "report" and "not mine" per
 * measure and one "remind me tomorrow", `rm:s:<round>` (29 bytes): it snoozes all the person's open
 * measures in the round, which are the ones listed (a person's measures share the round's
 * schedule). Reminders sent before they were combined carry `rm:s:<round>:<measure>`, which still
 * snoozes that one measure.
 */

export const REMINDER_ACTION_KINDS = ['report', 'snooze', 'decline'] as const;
export type ReminderActionKind = (typeof REMINDER_ACTION_KINDS)[number];

/** "Report" and "not mine": one measure. */
export interface MeasureAction {
  kind: 'report' | 'decline';
  roundId: string;
  measureId: string;
}

/** "Remind me tomorrow": all the person's open measures, or `measureId` alone from an older reminder. */
export interface SnoozeAction {
  kind: 'snooze';
  roundId: string;
  measureId?: string;
}

export type ReminderAction = MeasureAction | SnoozeAction;

const LETTER: Record<ReminderActionKind, string> = { report: 'r', snooze: 's', decline: 'n' };

/** Every reminder button id starts with it; the router sends such presses to reminder-feature.ts. */
export const REMINDER_ACTION_PREFIX = 'rm:';

const OBJECT_ID = /^[0-9a-f]{24}$/;
const MEASURE_PATTERN = new RegExp(`^${REMINDER_ACTION_PREFIX}([rn]):([0-9a-f]{24}):([0-9a-f]{24})$`);
const SNOOZE_PATTERN = new RegExp(`^${REMINDER_ACTION_PREFIX}s:([0-9a-f]{24})(?::([0-9a-f]{24}))?$`);

/** New buttons only: a snooze is always for all the person's measures. */
export function encodeReminderAction(action: MeasureAction | Omit<SnoozeAction, 'measureId'>): string {
  const ids = action.kind === 'snooze' ? [action.roundId] : [action.roundId, action.measureId];
  if (!ids.every((id) => OBJECT_ID.test(id))) {
    throw new Error(`reminder action needs 24-hex ids, got ${ids.map((id) => `'${id}'`).join(', ')}`);
  }
  return `${REMINDER_ACTION_PREFIX}${LETTER[action.kind]}:${ids.join(':')}`;
}

/** null for anything that is not a reminder button, so adapters can try other routers. */
export function parseReminderAction(id: string): ReminderAction | null {
  const snooze = SNOOZE_PATTERN.exec(id);
  if (snooze) {
    const [, roundId, measureId] = snooze as unknown as [string, string, string | undefined];
    return measureId ? { kind: 'snooze', roundId, measureId } : { kind: 'snooze', roundId };
  }
  const match = MEASURE_PATTERN.exec(id);
  if (!match) return null;
  const [, letter, roundId, measureId] = match as unknown as [string, 'r' | 'n', string, string];
  return { kind: letter === 'r' ? 'report' : 'decline', roundId, measureId };
}
