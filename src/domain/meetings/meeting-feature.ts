import { DateTime } from 'luxon';
import { ContactModel, MeetingModel, RsvpModel, rsvpId, type Language } from '../../models/index.js';
import { localTitle, t, truncate } from '../../i18n/index.js';
import { answered, refused, type ChatRegistry, type PersonContext } from '../chat/registry.js';
import { choice, type Attachment, type LinkButton, type Reply } from '../chat/message.js';
import type { InboundResult } from '../chat/router.js';
import { unknownPerson } from '../chat/basics.js';
import { MEETING_ACTION_PREFIX, encodeMeetingAction, parseMeetingAction } from './rsvp-actions.js';
import { answerClosed, answerMeeting, loadMeeting, rsvpStateLabel } from './rsvp.js';
import { DEPUTY_ACTION_PREFIX, DEPUTY_FLOW, createDeputyFlow } from './deputy-flow.js';
import { documentFiles, rsvpChoices } from './meeting-messages.js';
import { myMeetings, pastMeetingText, upcomingMeetingText, meetingWhen } from './my-meetings.js';
import { attendeesCommand } from './attendees.js';

/**
 * Meetings in a conversation: the RSVP buttons under an invitation (`mt:…`; "deputy" asks two
 * questions first), `/meetings` for everyone (upcoming meetings with the answer and a button to
 * change it, past ones with the minutes and decisions) and `/attendees` for coordinators.
 */

/** A button label carries a meeting's title only as far as a phone shows it. */
const BUTTON_TITLE = 28;

const reader = async (ctx: PersonContext) => {
  const contact = await ContactModel.findById(ctx.person.contactId, { language: 1, timeZone: 1 }).lean();
  return { language: contact?.language ?? ctx.person.language, timeZone: contact?.timeZone ?? 'Europe/Riga' };
};

const changeChoice = (meetingId: string, lang: Language) => choice(encodeMeetingAction({ kind: 'change', meetingId }), t(lang, 'my_meetings.change'));

async function onMeetingButton(ctx: PersonContext, id: string): Promise<InboundResult> {
  const lang = ctx.person.language;
  const action = parseMeetingAction(id);
  const meeting = action ? await loadMeeting(action.meetingId) : null;
  if (!action || !meeting) return refused({ text: t(lang, 'error.stale_button'), choices: [] });
  const contactId = String(ctx.person.contactId);

  if (action.kind === 'answer' && action.answer !== 'deputy') {
    const produce = ctx.deps.produce ?? (async () => undefined);
    const result = await answerMeeting({ meetingId: action.meetingId, contactId, answer: action.answer, now: ctx.now, produce });
    if (!result.ok) return refused({ text: result.text, choices: [] });
    return answered({ text: result.text, choices: [changeChoice(action.meetingId, lang)] });
  }

  // Deputy and change both lead to a question: ask it only while the answer can still be taken.
  const person = await reader(ctx);
  const closed = await answerClosed(meeting, { contactId, ...person }, ctx.now);
  if (closed) return refused({ text: closed.text, choices: [] });
  if (action.kind === 'answer') return ctx.runFlow(DEPUTY_FLOW, { type: 'choice', id });

  const rsvp = await RsvpModel.findById(rsvpId(action.meetingId, contactId), { answer: 1, deputy: 1, waitlisted: 1 }).lean();
  const answer = rsvpStateLabel(person.language, rsvp);
  const when = meetingWhen(person.language, meeting.startsAt, meeting.endsAt, person.timeZone);
  return answered({
    text: t(person.language, 'rsvp.question', { title: localTitle(meeting.title, person.language), when, answer }),
    choices: rsvpChoices(meeting, person.language, DateTime.fromJSDate(ctx.now)),
  });
}

/** Upcoming meetings with a button each; past ones with their minutes as a link or the file. */
async function meetingsCommand(ctx: PersonContext): Promise<InboundResult> {
  const mine = await myMeetings(String(ctx.person.contactId), ctx.now);
  if (!mine) return unknownPerson();
  const { language: lang, timeZone: zone } = mine;

  const upcoming: Reply = {
    text: [t(lang, 'my_meetings.upcoming'), ...(mine.upcoming.length > 0 ? mine.upcoming.map((m) => upcomingMeetingText(m, lang, zone)) : [t(lang, 'my_meetings.none')])].join('\n\n'),
    choices: [],
  };
  // Every upcoming meeting gets its button; after the deadline the press names the deadline and the coordinator.
  for (const m of mine.upcoming) {
    const title = truncate(localTitle(m.title, lang), BUTTON_TITLE);
    upcoming.choices.push(choice(encodeMeetingAction({ kind: 'change', meetingId: m.id }), t(lang, m.answer ? 'meetings.change_button' : 'meetings.answer_button', { title })));
  }
  if (mine.past.length === 0) return answered(upcoming);

  // myMeetings names a minutes file; sending it needs its stored id and type.
  const stored = await MeetingModel.find({ _id: { $in: mine.past.map((m) => m.id) } }, { minutes: 1 }).lean();
  const minutesOf = new Map(stored.map((m) => [String(m._id), m.minutes]));
  const links: LinkButton[] = [];
  const attachments: Attachment[] = [];
  const paragraphs = mine.past.map((m) => {
    const minutes = minutesOf.get(m.id);
    const title = truncate(localTitle(m.title, lang), BUTTON_TITLE);
    if (minutes?.url) links.push({ label: t(lang, 'meetings.minutes_button', { title }), url: minutes.url });
    if (minutes) attachments.push(...documentFiles([minutes]));
    const note = minutes ? [] : [t(lang, 'my_meetings.no_minutes')];
    return [pastMeetingText(m, lang, zone), ...note].join('\n');
  });
  const past: Reply = { text: [t(lang, 'my_meetings.past'), ...paragraphs].join('\n\n'), choices: [], links, attachments };
  return answered(upcoming, past);
}

export function registerMeetingFeature(registry: ChatRegistry): void {
  registry
    .flow(createDeputyFlow())
    .command({ name: 'meetings', help: 'command.meetings', menu: true, handle: meetingsCommand })
    .command({
      name: 'attendees',
      roles: ['coordinator'],
      help: 'command.attendees',
      menu: true,
      handle: async (ctx, args) => answered(await attendeesCommand(await reader(ctx), args, ctx.inbound.commandPrefix, ctx.now)),
    })
    .buttons({ prefix: MEETING_ACTION_PREFIX, handle: onMeetingButton })
    .buttons({ prefix: DEPUTY_ACTION_PREFIX, handle: (ctx, id) => ctx.runFlow(DEPUTY_FLOW, { type: 'choice', id }) });
}
