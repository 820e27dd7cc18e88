import { DateTime } from 'luxon';
import { validZone } from '../time-zones.js';
import { Types } from 'mongoose';
import { ContactModel, DeliveryModel, FORUM_TIME_ZONE, isAttending, MeetingModel, RsvpModel, type Channel, type Language, type Meeting } from '../../models/index.js';
import { audienceMembers } from '../audiences.js';
import type { Attachment, Message } from '../chat/message.js';
import { keyPrefixPattern, meetingCancelKey, meetingChangeKey, meetingInvitationKey, meetingReminderKey } from '../delivery-keys.js';
import type { OutboundMessage } from '../outbound-message.js';
import { DEFAULT_REMINDER_POLICY, isWithinOfficeHours } from '../reminders/reminder-policy.js';
import { addWorkingDays, isWorkingDay, previousWorkingDay } from '../reminders/working-days.js';
import { meetingAudience } from './meeting-audience.js';
import {
  announcedChanges,
  answerReminderMessage,
  cancellationMessage,
  changeMessage,
  invitationMessage,
  startReminderMessage,
  type Reader,
} from './meeting-messages.js';

/**
 * Which meeting invitations, change and cancellation notices and reminders are due now, read from
 * MongoDB only, like due-reminders.ts: the meetings that have not started, their audiences, the
 * answers, and what was already produced (the Delivery keys). Nothing is remembered between
 * ticks; the unique keys make a second scheduler, a restart or a repeated tick harmless.
 *
 * Reads per tick: the meetings, one read of their deliveries (anchored key prefixes), one of their
 * answers, one of the invited contacts, plus the audience reads (audiences.ts) per announced
 * meeting: a handful of meetings, never a read per person.
 *
 * "Invited" means an invitation was produced: the change and cancellation notices and the
 * reminders go to the chats the invitation went to, so someone taken off the audience after being
 * invited still hears that the meeting moved or was cancelled.
 */

export type CalendarMethod = 'REQUEST' | 'CANCEL';

export type MeetingRecord = Meeting & { _id: Types.ObjectId };

/** The meeting as the calendar file takes it: the organizer by name and e-mail, not by id. */
export type CalendarInput = Omit<MeetingRecord, 'organizer'> & { organizer?: { name: string; email: string } };

/** calendar.ts's meetingCalendarFile: the .ics as a stored attachment. */
export type CalendarFile = (meeting: CalendarInput, options: { method: CalendarMethod; language: Language }) => Promise<Attachment>;

/** Reminder steps (the `step` of meetingReminderKey); each kind sends only its latest due step. */
export type MeetingReminderStep = 'rsvp-3wd' | 'rsvp-deadline' | 'day-before' | 'hour-before';

/**
 * An invitation recorded this long after the meeting's last edit already showed the change, so
 * its person gets no change notice. The margin covers a tick that read the meeting before an edit
 * and wrote the invitation after it: that person still gets the notice.
 */
const INVITED_AFTER_CHANGE_MARGIN_MS = 10 * 60_000;

interface Invited {
  contactId: string;
  channel: Channel;
  address: string;
  invitedAt: Date;
}

export interface DueMeetingNotices {
  messages: OutboundMessage[];
  /** Meetings (or people of one) whose notices could not be made; the rest still went ahead. */
  problems: { meetingId: string; contactId?: string; error: string }[];
}


/** Every key kind written for a meeting, each followed by the meeting id (delivery-keys.ts). */
const KEY_KINDS = ['meeting-invite', 'meeting-change', 'meeting-cancel', 'meeting-reminder'] as const;

/** 09.00 (office start) on `day`. */
const officeStart = (day: DateTime) => day.startOf('day').set({ hour: DEFAULT_REMINDER_POLICY.officeHoursStart });

/**
 * The steps for someone who has not answered: 3 working days before the registration deadline's
 * day and that day's morning (the previous working day if it is not one), at office start in the
 * person's zone, and only those before the deadline itself.
 */
function answerReminderSteps(deadline: Date, meetingZone: string, zone: string): { step: MeetingReminderStep; at: DateTime }[] {
  const end = DateTime.fromJSDate(deadline);
  const day = DateTime.fromISO(end.setZone(meetingZone).toISODate() as string, { zone });
  const morning = isWorkingDay(day) ? day : previousWorkingDay(day);
  const steps = [
    { step: 'rsvp-3wd' as const, at: officeStart(addWorkingDays(day, -3)) },
    { step: 'rsvp-deadline' as const, at: officeStart(morning) },
  ];
  return steps.filter((s) => s.at < end);
}

/** The steps for someone coming: the same clock time the day before (in the meeting's zone), and an hour before. */
function startReminderSteps(startsAt: Date, meetingZone: string): { step: MeetingReminderStep; at: DateTime }[] {
  const start = DateTime.fromJSDate(startsAt).setZone(meetingZone);
  return [
    { step: 'day-before', at: start.minus({ days: 1 }) },
    { step: 'hour-before', at: start.minus({ hours: 1 }) },
  ];
}

/** The latest step whose moment has come, or null: missed earlier steps are superseded. */
function latestDue<S extends { at: DateTime }>(steps: S[], now: DateTime): S | null {
  return steps.filter((s) => s.at <= now).sort((a, b) => a.at.toMillis() - b.at.toMillis()).at(-1) ?? null;
}

async function sentFor(meetingIds: string[]) {
  const or = meetingIds.flatMap((id) => KEY_KINDS.map((kind) => ({ key: { $regex: keyPrefixPattern(`${kind}:${id}:`) } })));
  return DeliveryModel.find({ $or: or }, { key: 1, contact: 1, channel: 1, address: 1, createdAt: 1, _id: 0 }).lean();
}

/** All meeting notices due at `now`; `calendarFile` is asked only for messages not yet produced. */
export async function dueMeetingNotices(now: DateTime, calendarFile: CalendarFile): Promise<DueMeetingNotices> {
  const result: DueMeetingNotices = { messages: [], problems: [] };
  const meetings = (await MeetingModel.find({ startsAt: { $gt: now.toJSDate() } }).lean()) as MeetingRecord[];
  if (meetings.length === 0) return result;
  const meetingIds = meetings.map((m) => String(m._id));
  const [sent, rsvps] = await Promise.all([
    sentFor(meetingIds),
    RsvpModel.find({ meeting: { $in: meetings.map((m) => m._id) } }, { meeting: 1, contact: 1, answer: 1, waitlisted: 1 }).lean(),
  ]);
  const sentKeys = new Set(sent.map((d) => d.key));
  const invitedBy = new Map<string, Invited[]>();
  for (const d of sent) {
    const [kind, meetingId, contactId] = d.key.split(':');
    if (kind !== 'meeting-invite' || !meetingId || !contactId) continue;
    const invitedAt = (d as { createdAt?: Date }).createdAt ?? new Date(0);
    invitedBy.set(meetingId, [...(invitedBy.get(meetingId) ?? []), { contactId, channel: d.channel, address: d.address, invitedAt }]);
  }
  const answerOf = new Map(rsvps.map((r) => [`${String(r.meeting)}:${String(r.contact)}`, r]));
  // The invited people (their language and zone) and the organizers (for the .ics) in one read.
  const organizerIds = meetings.flatMap((m) => (m.organizer ? [String(m.organizer)] : []));
  const contactIds = [...new Set([...[...invitedBy.values()].flat().map((i) => i.contactId), ...organizerIds])];
  const contacts = contactIds.length
    ? await ContactModel.find({ _id: { $in: contactIds.map((id) => new Types.ObjectId(id)) } }, { name: 1, email: 1, language: 1, timeZone: 1, active: 1 }).lean()
    : [];
  const readerOf = new Map(contacts.filter((c) => c.active).map((c) => [String(c._id), { language: c.language, timeZone: c.timeZone }]));
  const contactOf = new Map(contacts.map((c) => [String(c._id), c]));

  // One calendar file per meeting, method and language this tick, shared by everyone it goes to.
  const calendars = new Map<string, Promise<Attachment>>();
  const calendar = (meeting: MeetingRecord, method: CalendarMethod, language: Language) => {
    const id = `${String(meeting._id)}:${method}:${language}`;
    let file = calendars.get(id);
    if (!file) {
      const organizer = meeting.organizer ? contactOf.get(String(meeting.organizer)) : undefined;
      const input: CalendarInput = { ...meeting, organizer: organizer ? { name: organizer.name, email: organizer.email } : undefined };
      file = calendarFile(input, { method, language });
      calendars.set(id, file);
    }
    return file;
  };

  for (const meeting of meetings) {
    const meetingId = String(meeting._id);
    try {
      const found = await noticesFor({ meeting, now, invited: invitedBy.get(meetingId) ?? [], answerOf, readerOf, sentKeys, calendar });
      result.messages.push(...found.messages);
      result.problems.push(...found.problems.map((p) => ({ meetingId, ...p })));
    } catch (error) {
      result.problems.push({ meetingId, error: (error as Error).message });
    }
  }
  return result;
}

interface MeetingContext {
  meeting: MeetingRecord;
  now: DateTime;
  invited: Invited[];
  answerOf: Map<string, { answer: string; waitlisted: boolean }>;
  readerOf: Map<string, Reader>;
  sentKeys: Set<string>;
  calendar: (meeting: MeetingRecord, method: CalendarMethod, language: Language) => Promise<Attachment>;
}

async function noticesFor(ctx: MeetingContext): Promise<{ messages: OutboundMessage[]; problems: { contactId?: string; error: string }[] }> {
  const { meeting, now, invited, answerOf, readerOf, sentKeys, calendar } = ctx;
  const meetingId = String(meeting._id);
  const meetingZone = validZone(meeting.timeZone, FORUM_TIME_ZONE);
  const messages: OutboundMessage[] = [];
  const problems: { contactId?: string; error: string }[] = [];
  const add = (key: string, purpose: string, priority: 'notice' | 'reminder', to: { contactId: string; channel: Channel; address: string }, message: Message) => {
    messages.push({ key, purpose, priority, contact: to.contactId, channel: to.channel, address: to.address, ...message });
  };
  const reader = (contactId: string): Reader | null => {
    const r = readerOf.get(contactId);
    return r ? { language: r.language, timeZone: validZone(r.timeZone, meetingZone) } : null;
  };

  if (meeting.state === 'cancelled') {
    for (const to of invited) {
      const key = meetingCancelKey({ meetingId, contactId: to.contactId, channel: to.channel });
      const r = reader(to.contactId);
      if (sentKeys.has(key) || !r) continue;
      add(key, 'meeting.cancel', 'notice', to, cancellationMessage(meeting, r, await calendar(meeting, 'CANCEL', r.language)));
    }
    return { messages, problems };
  }

  const members = await audienceMembers(await meetingAudience(meeting));
  for (const member of members) {
    for (const identity of member.identities) {
      const key = meetingInvitationKey({ meetingId, contactId: member.contactId, channel: identity.channel });
      if (sentKeys.has(key)) continue;
      const r = { language: member.language, timeZone: validZone(member.timeZone, meetingZone) };
      const to = { contactId: member.contactId, ...identity };
      add(key, 'meeting.invitation', 'notice', to, invitationMessage(meeting, r, await calendar(meeting, 'REQUEST', r.language), now));
    }
  }

  const changed = meeting.sequence > 0 && announcedChanges(meeting.lastChange).length > 0;
  const editedAt = (meeting as { updatedAt?: Date }).updatedAt?.getTime() ?? 0;
  for (const to of invited) {
    const r = reader(to.contactId);
    if (!r) continue;
    try {
      if (changed && to.invitedAt.getTime() <= editedAt + INVITED_AFTER_CHANGE_MARGIN_MS) {
        const key = meetingChangeKey({ meetingId, sequence: meeting.sequence, contactId: to.contactId, channel: to.channel });
        if (!sentKeys.has(key)) add(key, 'meeting.change', 'notice', to, changeMessage(meeting, r, await calendar(meeting, 'REQUEST', r.language), now));
      }
      const reminder = dueReminder(meeting, answerOf.get(`${meetingId}:${to.contactId}`), r.timeZone, meetingZone, now);
      if (reminder) {
        const key = meetingReminderKey({ meetingId, step: reminder.step, anchor: reminder.anchor, contactId: to.contactId, channel: to.channel });
        if (!sentKeys.has(key)) {
          const message = reminder.kind === 'answer' ? answerReminderMessage(meeting, r, now) : startReminderMessage(meeting, r);
          add(key, 'meeting.reminder', 'reminder', to, message);
        }
      }
    } catch (error) {
      problems.push({ contactId: to.contactId, error: (error as Error).message });
    }
  }
  return { messages, problems };
}

/**
 * The one reminder step for this person now, or null. Unanswered: the latest answer step, in
 * office hours on a working day in the person's zone, before the deadline. Coming (not waitlisted):
 * the latest start step, at any hour. The meeting has not started (the query says so).
 */
function dueReminder(
  meeting: MeetingRecord,
  answer: { answer: string; waitlisted: boolean } | undefined,
  zone: string,
  meetingZone: string,
  now: DateTime,
): { kind: 'answer' | 'start'; step: MeetingReminderStep; anchor: Date } | null {
  if (!answer) {
    const deadline = meeting.registrationDeadline;
    if (!deadline || now.toMillis() >= deadline.getTime()) return null;
    if (!isWithinOfficeHours(now, zone, DEFAULT_REMINDER_POLICY)) return null;
    const step = latestDue(answerReminderSteps(deadline, meetingZone, zone), now);
    return step ? { kind: 'answer', step: step.step, anchor: deadline } : null;
  }
  if (!isAttending(answer.answer) || answer.waitlisted) return null;
  const step = latestDue(startReminderSteps(meeting.startsAt, meetingZone), now);
  return step ? { kind: 'start', step: step.step, anchor: meeting.startsAt } : null;
}
