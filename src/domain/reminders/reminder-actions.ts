/**
 * The ids of the buttons under a reminder. Both adapters put them on the button as they are
 * (Telegram `callback_data`, Slack `action_id`/`value`) and hand them back to the domain, so the
 * format lives here once. Telegram limits callback data to 64 bytes: `rm:r:<round>:<measure>` with
 * two ObjectIds is 54 ASCII bytes. The round is part of the id so that a button under an old
 * reminder never acts on a later round's measure.
 */

export const REMINDER_ACTION_KINDS = ['report', 'snooze', 'decline'] as const;
export type ReminderActionKind = (typeof REMINDER_ACTION_KINDS)[number];

export interface ReminderAction {
  kind: ReminderActionKind;
  roundId: string;
  measureId: string;
}

const LETTER: Record<ReminderActionKind, string> = { report: 'r', snooze: 's', decline: 'n' };
const KIND_OF_LETTER: Record<string, ReminderActionKind> = { r: 'report', s: 'snooze', n: 'decline' };

/** Every reminder button id starts with it; the router sends such presses to reminder-feature.ts. */
export const REMINDER_ACTION_PREFIX = 'rm:';

const OBJECT_ID = /^[0-9a-f]{24}$/;
const PATTERN = new RegExp(`^${REMINDER_ACTION_PREFIX}([rsn]):([0-9a-f]{24}):([0-9a-f]{24})$`);

export function encodeReminderAction(action: ReminderAction): string {
  if (!OBJECT_ID.test(action.roundId) || !OBJECT_ID.test(action.measureId)) {
    throw new Error(`reminder action needs 24-hex ids, got round '${action.roundId}' measure '${action.measureId}'`);
  }
  return `${REMINDER_ACTION_PREFIX}${LETTER[action.kind]}:${action.roundId}:${action.measureId}`;
}

/** null for anything that is not a reminder button, so adapters can try other routers. */
export function parseReminderAction(id: string): ReminderAction | null {
  const match = PATTERN.exec(id);
  if (!match) return null;
  const [, letter, roundId, measureId] = match;
  const kind = KIND_OF_LETTER[letter as string];
  if (!kind || !roundId || !measureId) return null;
  return { kind, roundId, measureId };
}
