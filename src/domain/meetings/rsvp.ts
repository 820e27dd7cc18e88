import { Types } from 'mongoose';
import {
  ATTENDING_ANSWERS,
  ContactModel,
  DeliveryModel,
  IDENTITY_CHANNELS,
  isAttending,
  MeetingModel,
  RsvpModel,
  rsvpId,
  type Language,
  type Meeting,
  type RsvpAnswer,
} from '../../models/index.js';
import { isDuplicateKey } from '../../models/duplicate-key.js';
import { formatDateTime, localTitle, t } from '../../i18n/index.js';
import { audienceMembers } from '../audiences.js';
import { KeyedLock } from '../chat/keyed-lock.js';
import { choice } from '../chat/message.js';
import { meetingInvitationKey, meetingWaitlistKey } from '../delivery-keys.js';
import type { OutboundMessage } from '../outbound-message.js';
import { meetingAudience } from './meeting-audience.js';
import { encodeMeetingAction } from './rsvp-actions.js';

/**
 * A person's answer to a meeting invitation. It can be changed any number of times until the
 * registration deadline; after it, the person is told politely when it was and whom to ask. With a
 * capacity, attending answers beyond it go on a waiting list, and a place given up moves the first
 * waiting person up, who is told through the outbox.
 */


/** A deputy is a name and an institution, nothing else (never an identity code or a phone number). */
export interface Deputy {
  name: string;
  institution: string;
}
export const DEPUTY_FIELD_MAX = 100;

export type AnswerRefusal = 'unknown_meeting' | 'not_invited' | 'cancelled' | 'past' | 'deadline_passed' | 'invalid_deputy';

export type AnswerResult =
  | { ok: true; answer: RsvpAnswer; waitlisted: boolean; text: string; promoted: string[] }
  | { ok: false; reason: AnswerRefusal; text: string };

export interface AnswerInput {
  meetingId: string;
  contactId: string;
  answer: RsvpAnswer;
  deputy?: Deputy;
  now: Date;
  produce: (messages: OutboundMessage[]) => Promise<unknown>;
}

export type MeetingRow = Meeting & { _id: Types.ObjectId };

/**
 * One answer at a time per meeting in this process: counting the places taken and writing the
 * answer are two steps, and FerretDB does not apply a conditional update atomically either
 * (keyed-lock.ts). On real MongoDB with several processes answering the same meeting at the same
 * instant, two people could still both take the last place (one over capacity, visible in
 * /attendees); a move up cannot happen twice, because it is a conditional update
 * (`waitlisted: true`), which MongoDB applies atomically, and its notice is keyed.
 */
const answersByMeeting = new KeyedLock();


/** "piedalīšos klātienē", "sūtu aizvietotāju: Anna Kalna (VARAM)": the words /meetings uses too. */
export function rsvpAnswerLabel(lang: Language, answer: RsvpAnswer, deputy?: { name?: string | null; institution?: string | null } | null): string {
  if (answer !== 'deputy') return t(lang, `my_meetings.answer.${answer}`);
  const name = deputy?.name ? `${deputy.name}${deputy.institution ? ` (${deputy.institution})` : ''}` : '—';
  return t(lang, 'my_meetings.answer.deputy', { name });
}

/** The answer as /meetings, the App Home and the change question show it: none yet, or the answer, marked when it waits. */
export function rsvpStateLabel(
  lang: Language,
  rsvp: { answer: RsvpAnswer; deputy?: { name?: string | null; institution?: string | null } | null; waitlisted: boolean } | null | undefined,
): string {
  if (!rsvp) return t(lang, 'my_meetings.answer.none');
  const label = rsvpAnswerLabel(lang, rsvp.answer, rsvp.deputy);
  return rsvp.waitlisted ? t(lang, 'my_meetings.waitlisted', { answer: label }) : label;
}

const LOOKS_LIKE_A_NUMBER = /\d{6}/;

/** One deputy field, trimmed, or what is wrong with it. */
export function checkDeputyField(lang: Language, field: 'name' | 'institution', raw: string): { ok: true; value: string } | { ok: false; problem: string } {
  const value = raw.trim().replace(/\s+/g, ' ');
  const label = t(lang, `rsvp.deputy.field.${field}`);
  const length = [...value].length;
  if (length === 0) return { ok: false, problem: t(lang, 'rsvp.deputy.empty', { field: label }) };
  if (length > DEPUTY_FIELD_MAX) return { ok: false, problem: t(lang, 'rsvp.deputy.too_long', { field: label, limit: DEPUTY_FIELD_MAX, length }) };
  // A long run of digits is an identity code or a phone number, which we must not keep.
  if (LOOKS_LIKE_A_NUMBER.test(value)) return { ok: false, problem: t(lang, 'rsvp.deputy.no_numbers', { field: label }) };
  return { ok: true, value };
}

function checkDeputy(lang: Language, deputy: Deputy | undefined): { ok: true; deputy: Deputy } | { ok: false; problems: string[] } {
  const name = checkDeputyField(lang, 'name', deputy?.name ?? '');
  const institution = checkDeputyField(lang, 'institution', deputy?.institution ?? '');
  if (name.ok && institution.ok) return { ok: true, deputy: { name: name.value, institution: institution.value } };
  return { ok: false, problems: [name, institution].flatMap((r) => (r.ok ? [] : [r.problem])) };
}

/** "Ilze Bērziņa (ilze.berzina@example.lv)", or the coordinators in general when nobody is named. */
async function organizerText(meeting: Pick<Meeting, 'organizer'>, lang: Language): Promise<string> {
  const organizer = meeting.organizer ? await ContactModel.findById(meeting.organizer, { name: 1, email: 1 }).lean() : null;
  return organizer ? `${organizer.name} (${organizer.email})` : t(lang, 'rsvp.organizer_unknown');
}

/** In the meeting's audience, or invited or answered before (the audience may have changed since). */
async function isInvited(meeting: MeetingRow, contactId: string): Promise<boolean> {
  const meetingId = String(meeting._id);
  if (await RsvpModel.exists({ _id: rsvpId(meetingId, contactId) })) return true;
  const members = await audienceMembers(await meetingAudience(meeting));
  if (members.some((m) => m.contactId === contactId)) return true;
  const invitations = IDENTITY_CHANNELS.map((channel) => meetingInvitationKey({ meetingId, contactId, channel }));
  return (await DeliveryModel.exists({ key: { $in: invitations } })) !== null;
}

/** Why the meeting takes no answer from this person now, as the person should read it; null if it does. */
export async function answerClosed(
  meeting: MeetingRow,
  person: { contactId: string; language: Language; timeZone: string },
  now: Date,
): Promise<{ reason: AnswerRefusal; text: string } | null> {
  const lang = person.language;
  const title = localTitle(meeting.title, lang);
  if (meeting.state === 'cancelled') return { reason: 'cancelled', text: t(lang, 'rsvp.cancelled', { title }) };
  if (now >= meeting.startsAt) return { reason: 'past', text: t(lang, 'rsvp.past', { title }) };
  const deadline = meeting.registrationDeadline;
  if (deadline && now >= deadline) {
    const when = formatDateTime(lang, deadline, person.timeZone, 'numeric');
    return { reason: 'deadline_passed', text: t(lang, 'rsvp.deadline_passed', { title, deadline: when, organizer: await organizerText(meeting, lang) }) };
  }
  if (!(await isInvited(meeting, person.contactId))) {
    return { reason: 'not_invited', text: t(lang, 'rsvp.not_invited', { title, organizer: await organizerText(meeting, lang) }) };
  }
  return null;
}

export async function loadMeeting(meetingId: string): Promise<MeetingRow | null> {
  return Types.ObjectId.isValid(meetingId) ? MeetingModel.findById(meetingId).lean<MeetingRow>() : null;
}

export async function answerMeeting(input: AnswerInput): Promise<AnswerResult> {
  const { meetingId, contactId, answer, now } = input;
  const meeting = await loadMeeting(meetingId);
  const contact = Types.ObjectId.isValid(contactId) ? await ContactModel.findById(contactId, { language: 1, timeZone: 1, active: 1 }).lean() : null;
  if (!contact?.active) return { ok: false, reason: 'unknown_meeting', text: t('lv', 'error.stale_button') };
  const lang = contact.language;
  if (!meeting) return { ok: false, reason: 'unknown_meeting', text: t(lang, 'error.stale_button') };
  const closed = await answerClosed(meeting, { contactId, language: lang, timeZone: contact.timeZone }, now);
  if (closed) return { ok: false, ...closed };

  let deputy: Deputy | null = null;
  if (answer === 'deputy') {
    const checked = checkDeputy(lang, input.deputy);
    if (!checked.ok) return { ok: false, reason: 'invalid_deputy', text: [t(lang, 'rsvp.deputy.invalid'), ...checked.problems].join('\n') };
    deputy = checked.deputy;
  }

  return answersByMeeting.run(meetingId, async () => {
    const stored = await store(meeting, contactId, answer, deputy, now);
    // Only a place given up can move somebody up; an answer that takes a place never does.
    const promoted = stored.gaveUpPlace ? await moveUp(meeting, now, input.produce) : [];
    const reader = { language: lang, timeZone: contact.timeZone };
    const text = stored.waitlisted ? waitlistedText(meeting, reader, stored.position) : savedText(meeting, reader, answer, deputy);
    return { ok: true, answer, waitlisted: stored.waitlisted, text, promoted };
  });
}

type Reader = { language: Language; timeZone: string };
type MeetingTexts = { title: { lv: string; en?: string | null };  capacity?: number | null; registrationDeadline?: Date | null };

/** "Thank you! Your answer …", and until when it can be changed. */
export function savedText(meeting: MeetingTexts, reader: Reader, answer: RsvpAnswer, deputy?: Deputy | null): string {
  const lang = reader.language;
  const text = t(lang, 'rsvp.saved', { title: localTitle(meeting.title, lang), answer: rsvpAnswerLabel(lang, answer, deputy) });
  const deadline = meeting.registrationDeadline;
  return deadline ? `${text}\n${t(lang, 'rsvp.change_until', { deadline: formatDateTime(lang, deadline, reader.timeZone, 'numeric') })}` : text;
}

export function waitlistedText(meeting: MeetingTexts, reader: Reader, position: number): string {
  const lang = reader.language;
  return t(lang, 'rsvp.waitlisted', { title: localTitle(meeting.title, lang), capacity: meeting.capacity ?? 0, position });
}

const placesTaken = (meeting: MeetingRow, except?: string) =>
  RsvpModel.countDocuments({
    meeting: meeting._id,
    answer: { $in: [...ATTENDING_ANSWERS] },
    waitlisted: false,
    ...(except ? { _id: { $ne: except } } : {}),
  });

/** Writes the answer; an attending answer keeps a place it holds, or its place in the queue. */
async function store(meeting: MeetingRow, contactId: string, answer: RsvpAnswer, deputy: Deputy | null, now: Date) {
  const _id = rsvpId(String(meeting._id), contactId);
  const existing = await RsvpModel.findById(_id, { answer: 1, waitlisted: 1, waitlistedAt: 1 }).lean();
  const holdsPlace = !!existing && isAttending(existing.answer) && !existing.waitlisted;
  let waitlistedAt: Date | null = null;
  if (isAttending(answer) && !holdsPlace) {
    if (existing?.waitlisted && existing.waitlistedAt) waitlistedAt = existing.waitlistedAt;
    else if (meeting.capacity != null && (await placesTaken(meeting, _id)) >= meeting.capacity) waitlistedAt = now;
  }
  const set = { answer, answeredAt: now, waitlisted: waitlistedAt !== null, ...(deputy ? { deputy } : {}), ...(waitlistedAt ? { waitlistedAt } : {}) };
  const unset = { ...(deputy ? {} : { deputy: 1 }), ...(isAttending(answer) ? {} : { waitlistedAt: 1 }) };
  const update = { $set: set, $unset: unset, $setOnInsert: { meeting: meeting._id, contact: new Types.ObjectId(contactId) } };
  try {
    await RsvpModel.updateOne({ _id }, update, { upsert: true });
  } catch (error) {
    // Two first answers from two processes: the loser updates what the winner inserted.
    if (!isDuplicateKey(error)) throw error;
    await RsvpModel.updateOne({ _id }, { $set: set, $unset: unset });
  }
  // The order people move up in (fillFreePlaces): who joined first, ties by id.
  const ahead = { $or: [{ waitlistedAt: { $lt: waitlistedAt } }, { waitlistedAt, _id: { $lt: _id } }] };
  const position = waitlistedAt ? (await RsvpModel.countDocuments({ meeting: meeting._id, waitlisted: true, ...ahead })) + 1 : 0;
  return { waitlisted: waitlistedAt !== null, position, gaveUpPlace: holdsPlace && !isAttending(answer) };
}

/**
 * Fills free places from the waiting list, first come first served, and tells who moved up;
 * returns their contact ids. For whoever raises a meeting's capacity.
 */
async function fillFreePlaces(meeting: MeetingRow, now: Date, produce: AnswerInput['produce']): Promise<string[]> {
  return answersByMeeting.run(String(meeting._id), () => moveUp(meeting, now, produce));
}

async function moveUp(meeting: MeetingRow, now: Date, produce: AnswerInput['produce']): Promise<string[]> {
  if (meeting.capacity == null) return [];
  const free = meeting.capacity - (await placesTaken(meeting));
  if (free <= 0) return [];
  const waiting = await RsvpModel.find({ meeting: meeting._id, waitlisted: true }, { contact: 1, answer: 1, deputy: 1, waitlistedAt: 1 })
    .sort({ waitlistedAt: 1, _id: 1 })
    .limit(free)
    .lean();
  const movedUp: typeof waiting = [];
  for (const row of waiting) {
    // One conditional update per place: it is what makes a move up happen once (see answersByMeeting).
    const moved = await RsvpModel.updateOne({ _id: row._id, waitlisted: true }, { $set: { waitlisted: false } });
    if (moved.modifiedCount === 1) movedUp.push(row);
  }
  const promoted = movedUp.map((row) => String(row.contact));
  if (promoted.length === 0) return promoted;
  // Who moved up, with their chats, in one read rather than one per person.
  const members = new Map((await audienceMembers({ contacts: promoted })).map((m) => [m.contactId, m]));
  const messages: OutboundMessage[] = [];
  for (const row of movedUp) {
    const contactId = String(row.contact);
    const member = members.get(contactId);
    if (!member) continue;
    const lang = member.language;
    for (const identity of member.identities) {
      messages.push({
        // Keyed by when the person joined the queue: the same move up is told once, however often it is computed.
        key: meetingWaitlistKey({ meetingId: String(meeting._id), contactId, channel: identity.channel, at: row.waitlistedAt ?? now }),
        purpose: 'meeting.waitlist',
        priority: 'notice',
        contact: contactId,
        channel: identity.channel,
        address: identity.address,
        text: t(lang, 'rsvp.moved_up', {
          title: localTitle(meeting.title, lang),
          when: formatDateTime(lang, meeting.startsAt, member.timeZone, 'numeric'),
          answer: rsvpAnswerLabel(lang, row.answer, row.deputy),
        }),
        choices: [choice(encodeMeetingAction({ kind: 'change', meetingId: String(meeting._id) }), t(lang, 'my_meetings.change'))],
      });
    }
  }
  if (messages.length > 0) await produce(messages);
  return promoted;
}

/**
 * The scheduler's sweep for places freed other than by a decline (a coordinator raised the
 * capacity in the meeting file): every upcoming meeting with someone waiting fills what is free.
 * The waiting list is short and rarely non-empty, so one scan of the answers per tick is cheap.
 */
export async function fillFreePlacesEverywhere(now: Date, produce: AnswerInput['produce']): Promise<number> {
  const meetingIds = await RsvpModel.distinct('meeting', { waitlisted: true });
  let moved = 0;
  for (const id of meetingIds) {
    const meeting = await loadMeeting(String(id));
    if (!meeting || meeting.state !== 'announced' || meeting.startsAt <= now) continue;
    moved += (await fillFreePlaces(meeting, now, produce)).length;
  }
  return moved;
}
