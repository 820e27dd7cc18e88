import { z } from 'zod';
import { isAttending, MeetingModel, RsvpModel, type Language } from '../../models/index.js';
import { localTitle, t } from '../../i18n/index.js';
import type { ChatEvent, FlowOutcome } from '../chat/conversation.js';
import type { FlowDefinition, FlowEnv } from '../chat/flow-runner.js';
import { choice, type Reply } from '../chat/message.js';
import { parseMeetingAction } from './rsvp-actions.js';
import { DEPUTY_FIELD_MAX, answerMeeting, checkDeputyField, savedText, waitlistedText, type Deputy } from './rsvp.js';

/**
 * "Sending a deputy": the deputy's name, then their institution, then the answer is stored. Nothing
 * else about the deputy is asked. The meeting feature checks that the meeting still takes answers
 * before the flow starts, so nobody types a name only to hear that registration has closed.
 */

export const DEPUTY_FLOW = 'meeting-deputy';
/** The flow's own button (cancel); `mt:` belongs to the RSVP answers. */
export const DEPUTY_ACTION_PREFIX = 'md:';
const CANCEL_ID = `${DEPUTY_ACTION_PREFIX}x`;

const stateSchema = z.object({
  step: z.enum(['name', 'institution']),
  meetingId: z.string().regex(/^[0-9a-f]{24}$/),
  name: z.string().optional(),
});
type DeputyState = z.infer<typeof stateSchema>;
type DeputyEffect = Deputy & { meetingId: string };

/**
 * An upcoming meeting as the last step needs it. The step has to say whether the answer takes a
 * place or joins the waiting list before the effect runs, so it reads the places as they stood
 * when the event came in; answerMeeting decides for real a moment later under the meeting's lock,
 * and only two people answering the same full meeting within that moment could see it differ.
 */
interface UpcomingMeeting {
  title: { lv: string; en?: string | null };
  capacity?: number | null;
  registrationDeadline?: Date | null;
  /** 0 when an attending answer takes (or keeps) a place; else the place on the waiting list. */
  waitingPosition: number;
}
type DeputyContext = Map<string, UpcomingMeeting>;

async function loadUpcoming({ contact, now }: FlowEnv): Promise<DeputyContext> {
  const meetings = await MeetingModel.find({ state: 'announced', startsAt: { $gt: now.toJSDate() } }, { title: 1, capacity: 1, registrationDeadline: 1 }).lean();
  const limited = meetings.filter((m) => m.capacity != null).map((m) => m._id);
  const rows = limited.length > 0 ? await RsvpModel.find({ meeting: { $in: limited } }, { meeting: 1, contact: 1, answer: 1, waitlisted: 1, waitlistedAt: 1 }).lean() : [];
  const me = String(contact._id);
  return new Map(
    meetings.map((m) => {
      const here = rows.filter((r) => r.meeting.equals(m._id) && isAttending(r.answer));
      const mine = here.find((r) => String(r.contact) === me);
      const waiting = here.filter((r) => r.waitlisted);
      let waitingPosition = 0;
      const joined = (r: { waitlistedAt?: Date | null }) => r.waitlistedAt?.getTime() ?? 0;
      // The order people move up in (rsvp.ts): who joined first, ties by id.
      if (mine?.waitlisted) waitingPosition = waiting.filter((r) => joined(r) < joined(mine) || (joined(r) === joined(mine) && r._id < mine._id)).length + 1;
      else if (!mine && m.capacity != null && here.length - waiting.length >= m.capacity) waitingPosition = waiting.length + 1;
      return [String(m._id), { title: m.title, capacity: m.capacity, registrationDeadline: m.registrationDeadline, waitingPosition }];
    }),
  );
}

const ask = (text: string, lang: Language): Reply => ({ text, choices: [choice(CANCEL_ID, t(lang, 'button.cancel'))], expectsText: true });

function step(state: DeputyState | null, event: ChatEvent, meetings: DeputyContext, env: FlowEnv): FlowOutcome<DeputyState, DeputyEffect> {
  const lang = env.contact.language;
  const rejected = (reason: 'stale' | 'invalid_form' | 'no_conversation' | 'choose_button', text: string, again = false): FlowOutcome<DeputyState, DeputyEffect> => ({
    type: 'rejected',
    reason,
    replies: [again ? ask(text, lang) : { text, choices: [] }],
  });
  if (event.type === 'cancel' || (event.type === 'choice' && event.id === CANCEL_ID)) {
    return { type: 'cancelled', replies: [{ text: t(lang, 'rsvp.deputy.cancelled'), choices: [] }] };
  }
  if (event.type === 'choice') {
    const action = parseMeetingAction(event.id);
    const meeting = action ? meetings.get(action.meetingId) : undefined;
    if (!action || action.kind !== 'answer' || action.answer !== 'deputy' || !meeting) return rejected('stale', t(lang, 'error.stale_button'));
    return {
      type: 'continue',
      state: { step: 'name', meetingId: action.meetingId },
      replies: [ask(t(lang, 'rsvp.deputy.ask_name', { title: localTitle(meeting.title, lang), limit: DEPUTY_FIELD_MAX }), lang)],
    };
  }
  if (!state) return rejected('no_conversation', t(lang, 'error.stale_button'));
  if (event.type !== 'text') return rejected('choose_button', t(lang, 'error.choose_button'), true);

  const field = checkDeputyField(lang, state.step, event.text);
  if (!field.ok) return rejected('invalid_form', field.problem, true);
  if (state.step === 'name') {
    return {
      type: 'continue',
      state: { ...state, step: 'institution', name: field.value },
      replies: [ask(t(lang, 'rsvp.deputy.ask_institution', { name: field.value, limit: DEPUTY_FIELD_MAX }), lang)],
    };
  }
  const meeting = meetings.get(state.meetingId);
  if (!meeting || !state.name) return rejected('stale', t(lang, 'error.stale_button'));
  const deputy = { name: state.name, institution: field.value };
  const reader = { language: lang, timeZone: env.contact.timeZone };
  const text = meeting.waitingPosition > 0 ? waitlistedText(meeting, reader, meeting.waitingPosition) : savedText(meeting, reader, 'deputy', deputy);
  return { type: 'done', effects: [{ meetingId: state.meetingId, ...deputy }], replies: [{ text, choices: [] }] };
}

export function createDeputyFlow(): FlowDefinition<DeputyState, DeputyEffect, DeputyContext> {
  return {
    name: DEPUTY_FLOW,
    state: stateSchema,
    load: loadUpcoming,
    step,
    async apply(effects, { contact, now }) {
      for (const { meetingId, name, institution } of effects) {
        const result = await answerMeeting({
          meetingId,
          contactId: String(contact._id),
          answer: 'deputy',
          deputy: { name, institution },
          now: now.toJSDate(),
          // An answer that takes a place never moves anybody up, so nothing is produced.
          produce: async () => undefined,
        });
        if (!result.ok) return { reason: 'stale', text: result.text };
      }
      return null;
    },
  };
}
