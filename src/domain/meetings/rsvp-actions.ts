import { RSVP_ANSWERS, type RsvpAnswer } from '../../models/rsvp.js';

/**
 * The ids of the RSVP buttons under an invitation (and in /meetings): `mt:<letter>:<meeting id>`,
 * 29 ASCII bytes, well within Telegram's 64. `change` asks the question again (from /meetings).
 * The router sends every `mt:` press to the meetings feature.
 */

export const MEETING_ACTION_PREFIX = 'mt:';

export type MeetingAction = { kind: 'answer'; answer: RsvpAnswer; meetingId: string } | { kind: 'change'; meetingId: string };

const LETTER: Record<RsvpAnswer, string> = { on_site: 's', online: 'o', not_attending: 'n', deputy: 'd' };
const ANSWER_OF = Object.fromEntries(RSVP_ANSWERS.map((a) => [LETTER[a], a])) as Record<string, RsvpAnswer>;
const PATTERN = new RegExp(`^${MEETING_ACTION_PREFIX}([sondc]):([0-9a-f]{24})$`);

export function encodeMeetingAction(action: MeetingAction): string {
  if (!/^[0-9a-f]{24}$/.test(action.meetingId)) throw new Error(`meeting action needs a 24-hex id, got '${action.meetingId}'`);
  const letter = action.kind === 'change' ? 'c' : LETTER[action.answer];
  return `${MEETING_ACTION_PREFIX}${letter}:${action.meetingId}`;
}

/** null for anything that is not a meeting button. */
export function parseMeetingAction(id: string): MeetingAction | null {
  const match = PATTERN.exec(id);
  if (!match) return null;
  const [, letter = '', meetingId = ''] = match;
  if (letter === 'c') return { kind: 'change', meetingId };
  const answer = ANSWER_OF[letter];
  return answer ? { kind: 'answer', answer, meetingId } : null;
}
