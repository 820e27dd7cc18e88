import { DateTime } from 'luxon';
import type { Types } from 'mongoose';
import { FORUM_TIME_ZONE, MEETING_CHANGES, type Language, type MeetingChange, type MeetingKind, type RsvpAnswer } from '../../models/index.js';
import { formatDate, formatDateTime, formatTime, localTitle, t } from '../../i18n/index.js';
import type { Attachment, Choice, LinkButton, Message } from '../chat/message.js';
import { encodeMeetingAction } from './rsvp-actions.js';

/**
 * What a meeting's invitation, change notice, cancellation notice and reminders say to one person:
 * pure functions of the meeting, the person's language and zone, and the calendar file the caller
 * made (calendar.ts), so the scheduler decides when and the texts live here once.
 *
 * Times are shown in the person's zone; the zone is named whenever it is not the forum's, so a
 * partner in New York never mistakes 03.00 for Riga time.
 */

type Bilingual = { lv: string; en?: string | null };

/** The fields of a Meeting (models/meeting.ts) the messages read; a lean document fits. */
export interface MeetingForMessages {
  _id: Types.ObjectId | string;
  kind: MeetingKind;
  title: Bilingual;
  startsAt: Date;
  endsAt: Date;
  timeZone?: string | null;
  place?: string | null;
  onlineUrl?: string | null;
  registrationDeadline?: Date | null;
  agenda?: readonly { number: number; title: Bilingual; presenter?: string | null }[] | null;
  materials?: readonly { label: string; url?: string | null; fileId?: string | null; fileName?: string | null; mediaType?: string | null }[] | null;
  lastChange?: readonly string[] | null;
}

export interface Reader {
  language: Language;
  timeZone: string;
}

const RSVP_BUTTONS: readonly RsvpAnswer[] = ['on_site', 'online', 'not_attending', 'deputy'];

function kindAndTitle(meeting: MeetingForMessages, lang: Language) {
  return { kind: t(lang, `meeting_notice.kind.${meeting.kind}`), title: localTitle(meeting.title, lang) };
}

/** "30.03.2026., plkst. 09.00", with the zone named when it is not the forum's. */
function momentText(lang: Language, when: Date, zone: string): string {
  const text = formatDateTime(lang, when, zone, 'numeric');
  return zone === FORUM_TIME_ZONE ? text : `${text} ${t(lang, 'meeting_notice.zone', { zone })}`;
}

/** "Laiks: 2026. gada 30. marts, 09.00–10.30"; an end on another day carries its date. */
function whenLine(meeting: MeetingForMessages, reader: Reader): string {
  const { language: lang, timeZone: zone } = reader;
  const start = DateTime.fromJSDate(meeting.startsAt).setZone(zone);
  const end = DateTime.fromJSDate(meeting.endsAt).setZone(zone);
  const endText = start.hasSame(end, 'day') ? formatTime(lang, end, zone) : formatDateTime(lang, end, zone, 'long');
  const line = t(lang, 'meeting_notice.when', { date: formatDate(lang, start, zone, 'long'), start: formatTime(lang, start, zone), end: endText });
  return zone === FORUM_TIME_ZONE ? line : `${line} ${t(lang, 'meeting_notice.zone', { zone })}`;
}

/** Time, place, link and deadline lines: what every notice about a coming meeting repeats. */
function detailLines(meeting: MeetingForMessages, reader: Reader): string[] {
  const lang = reader.language;
  const lines = [whenLine(meeting, reader)];
  if (meeting.place) lines.push(t(lang, 'meeting_notice.place', { place: meeting.place }));
  if (meeting.onlineUrl) lines.push(t(lang, 'meeting_notice.online', { url: meeting.onlineUrl }));
  if (meeting.registrationDeadline) {
    lines.push(t(lang, 'meeting_notice.deadline', { when: momentText(lang, meeting.registrationDeadline, reader.timeZone) }));
  }
  return lines;
}

function agendaLines(meeting: MeetingForMessages, lang: Language): string[] {
  const items = [...(meeting.agenda ?? [])].sort((a, b) => a.number - b.number);
  if (items.length === 0) return [];
  return [
    t(lang, 'meeting_notice.agenda'),
    ...items.map((item) => {
      const params = { number: item.number, title: localTitle(item.title, lang) };
      return item.presenter
        ? t(lang, 'meeting_notice.agenda_item_presenter', { ...params, presenter: item.presenter })
        : t(lang, 'meeting_notice.agenda_item', params);
    }),
  ];
}

function joinLink(meeting: MeetingForMessages, lang: Language): LinkButton[] {
  return meeting.onlineUrl ? [{ label: t(lang, 'meeting_notice.button.join'), url: meeting.onlineUrl }] : [];
}

function materialLinks(meeting: MeetingForMessages): LinkButton[] {
  return (meeting.materials ?? []).flatMap((m) => (m.url ? [{ label: m.label, url: m.url }] : []));
}

type StoredDocument = { label: string; fileId?: string | null; fileName?: string | null; mediaType?: string | null };

/** A material or the minutes kept as a file (models/meeting.ts documentSchema), as an attachment; none for a link. */
export function documentFiles(documents: readonly StoredDocument[]): Attachment[] {
  return documents.flatMap((d) =>
    d.fileId ? [{ name: d.fileName || d.label, mediaType: d.mediaType || 'application/octet-stream', source: { kind: 'stored' as const, fileId: d.fileId } }] : [],
  );
}

/** Materials kept as files travel as attachments beside the calendar file. */
const materialFiles = (meeting: MeetingForMessages): Attachment[] => documentFiles(meeting.materials ?? []);

/** On site / online / not attending / deputy; offered only while answers are taken. */
export function rsvpChoices(meeting: MeetingForMessages, lang: Language, now: DateTime): Choice[] {
  if (!registrationOpen(meeting, now)) return [];
  const meetingId = String(meeting._id);
  return RSVP_BUTTONS.map((answer) => ({
    id: encodeMeetingAction({ kind: 'answer', answer, meetingId }),
    label: t(lang, `meeting_notice.button.${answer}`),
  }));
}

function registrationOpen(meeting: MeetingForMessages, now: DateTime): boolean {
  const closes = meeting.registrationDeadline ?? meeting.startsAt;
  return now.toMillis() < closes.getTime();
}

const paragraphs = (...blocks: string[][]) => blocks.filter((b) => b.length > 0).map((b) => b.join('\n')).join('\n\n');

/** The invitation: what, when, where, the agenda, materials, RSVP buttons and the .ics (METHOD:REQUEST). */
export function invitationMessage(meeting: MeetingForMessages, reader: Reader, calendar: Attachment, now: DateTime): Message {
  const lang = reader.language;
  const choices = rsvpChoices(meeting, lang, now);
  const materials = materialLinks(meeting);
  const files = materialFiles(meeting);
  const labels = (meeting.materials ?? []).map((m) => m.label);
  return {
    text: paragraphs(
      [t(lang, 'meeting_notice.invitation', kindAndTitle(meeting, lang))],
      detailLines(meeting, reader),
      agendaLines(meeting, lang),
      labels.length > 0 ? [t(lang, 'meeting_notice.materials', { labels: labels.join('; ') })] : [],
      [...(choices.length > 0 ? [t(lang, 'meeting_notice.answer')] : []), t(lang, 'meeting_notice.calendar')],
    ),
    choices,
    links: [...joinLink(meeting, lang), ...materials],
    attachments: [calendar, ...files],
  };
}

/** Only the changes people are told about, in a fixed order, whatever order they were stored in. */
export function announcedChanges(lastChange: readonly string[] | null | undefined): MeetingChange[] {
  const given = new Set(lastChange ?? []);
  return MEETING_CHANGES.filter((c) => given.has(c));
}

/** What changed (time / place / link), the details as they are now, and the updated .ics. */
export function changeMessage(meeting: MeetingForMessages, reader: Reader, calendar: Attachment, now: DateTime): Message {
  const lang = reader.language;
  const what = announcedChanges(meeting.lastChange).map((c) => t(lang, `meeting_notice.change.${c}`));
  return {
    text: paragraphs(
      [t(lang, 'meeting_notice.changed', kindAndTitle(meeting, lang)), t(lang, 'meeting_notice.changed_what', { what: what.join(', ') })],
      detailLines(meeting, reader),
      [t(lang, 'meeting_notice.changed_calendar')],
    ),
    choices: rsvpChoices(meeting, lang, now),
    links: joinLink(meeting, lang),
    attachments: [calendar],
  };
}

/** The cancellation, with the .ics (METHOD:CANCEL) that takes the entry out of the calendar. */
export function cancellationMessage(meeting: MeetingForMessages, reader: Reader, calendar: Attachment): Message {
  const lang = reader.language;
  const when = momentText(lang, meeting.startsAt, reader.timeZone);
  return {
    text: paragraphs([t(lang, 'meeting_notice.cancelled', { ...kindAndTitle(meeting, lang), when })], [t(lang, 'meeting_notice.cancelled_calendar')]),
    choices: [],
    attachments: [calendar],
  };
}

/** To someone invited who has not answered yet: the RSVP buttons again, and the deadline. */
export function answerReminderMessage(meeting: MeetingForMessages, reader: Reader, now: DateTime): Message {
  const lang = reader.language;
  const zone = reader.timeZone;
  const deadline = meeting.registrationDeadline ?? meeting.startsAt;
  return {
    text: t(lang, 'meeting_notice.reminder.answer', {
      ...kindAndTitle(meeting, lang),
      when: momentText(lang, meeting.startsAt, zone),
      deadline: momentText(lang, deadline, zone),
    }),
    choices: rsvpChoices(meeting, lang, now),
    links: joinLink(meeting, lang),
  };
}

/**
 * To someone coming, the day before and an hour before. It names the date and time rather than
 * saying "tomorrow": a reminder made up after downtime may go out later than planned.
 */
export function startReminderMessage(meeting: MeetingForMessages, reader: Reader): Message {
  const lang = reader.language;
  const lines = [t(lang, 'meeting_notice.reminder.start', { ...kindAndTitle(meeting, lang), when: momentText(lang, meeting.startsAt, reader.timeZone) })];
  if (meeting.place) lines.push(t(lang, 'meeting_notice.place', { place: meeting.place }));
  if (meeting.onlineUrl) lines.push(t(lang, 'meeting_notice.online', { url: meeting.onlineUrl }));
  return { text: lines.join('\n'), choices: [], links: joinLink(meeting, lang) };
}
