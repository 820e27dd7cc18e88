import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import { t } from '../../i18n/index.js';
import type { Language } from '../../models/shared.js';
import { storeFile } from '../chat/files.js';
import type { Attachment } from '../chat/message.js';

/**
 * The meeting's calendar file (.ics, RFC 5545 with the RFC 5546 METHOD), attached to every
 * invitation, change notice and cancellation. A calendar program matches the entries by UID and
 * keeps the one with the highest SEQUENCE, so the UID is derived from the meeting's id alone (the
 * key may be renamed) and SEQUENCE is the meeting's own change counter: a change notice replaces
 * the entry, a cancellation with METHOD:CANCEL removes it.
 */

/** Bilingual text as the models keep it: Latvian always, English when someone wrote it. */
interface BilingualText {
  lv: string;
  en?: string | null;
}

/** What the calendar file needs of a meeting; a Meeting document fits once `organizer` is resolved. */
export interface CalendarMeeting {
  _id: { toString(): string };
  key: string;
  title: BilingualText;
  startsAt: Date;
  endsAt: Date;
  /** IANA zone the meeting happens in; DTSTART/DTEND carry it as TZID. */
  timeZone: string;
  place?: string | null;
  onlineUrl?: string | null;
  agenda: ReadonlyArray<{ number: number; title: BilingualText; presenter?: string | null }>;
  sequence: number;
  organizer?: { name: string; email: string };
}

export interface CalendarOptions {
  method: 'REQUEST' | 'CANCEL';
  language: Language;
}

/** The UID's host part: RFC 5545 asks for a domain the producer controls, so UIDs never collide. */
const UID_DOMAIN = 'ogp-forums.lv';

function meetingUid(meeting: Pick<CalendarMeeting, '_id'>): string {
  return `meeting-${meeting._id.toString()}@${UID_DOMAIN}`;
}

function inLanguage(text: BilingualText, language: Language): string {
  return (language === 'en' && text.en?.trim()) || text.lv;
}

/**
 * The zone's VTIMEZONE with its DAYLIGHT and STANDARD rules from the tz database, so Outlook,
 * which does not know IANA names, still places a meeting after a clock change right. An unknown
 * zone is refused: without its VTIMEZONE every client would guess.
 */
function vtimezone(zone: string): string {
  const [block] = tzlib_get_ical_block(zone);
  if (!block) throw new RangeError(`no VTIMEZONE for time zone ${zone}`);
  return block;
}

/**
 * URL is a URI value, which RFC 5545 does not escape, yet ical-generator escapes it like TEXT
 * (`a=1\;b=2`). Percent-encoding the three characters it would escape gives the same address
 * with nothing for it to touch.
 */
function uriValue(url: string): string {
  return url.replace(/[\\;,]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function description(meeting: CalendarMeeting, language: Language): string {
  const lines: string[] = [];
  if (meeting.agenda.length) {
    lines.push(t(language, 'meeting_calendar.agenda'));
    for (const item of [...meeting.agenda].sort((a, b) => a.number - b.number)) {
      const title = inLanguage(item.title, language);
      lines.push(
        item.presenter?.trim()
          ? t(language, 'meeting_calendar.agenda_item_presenter', { number: item.number, title, presenter: item.presenter.trim() })
          : t(language, 'meeting_calendar.agenda_item', { number: item.number, title }),
      );
    }
  }
  if (meeting.onlineUrl) {
    if (lines.length) lines.push('');
    lines.push(t(language, 'meeting_calendar.online', { url: meeting.onlineUrl }));
  }
  return lines.join('\n');
}

/**
 * The .ics text: ical-generator folds lines at 75 octets without splitting a character and escapes
 * TEXT values; an unknown zone throws before anything is built.
 */
export function meetingCalendar(meeting: CalendarMeeting, options: CalendarOptions): string {
  const zone = meeting.timeZone;
  const timezoneBlock = vtimezone(zone);
  const cancel = options.method === 'CANCEL';
  // The calendar's own zone stays unnamed: ical-generator writes DTSTAMP in the calendar's zone,
  // and RFC 5545 wants it in UTC; the generator alone still emits the events' VTIMEZONE.
  const calendar = ical({
    prodId: { company: 'OGP forums', product: 'Meetings', language: options.language.toUpperCase() },
    method: cancel ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    timezone: { name: null, generator: () => timezoneBlock },
  });
  const location = [meeting.place?.trim(), meeting.onlineUrl?.trim()].filter(Boolean).join(', ');
  const text = description(meeting, options.language);
  calendar.createEvent({
    id: meetingUid(meeting),
    sequence: meeting.sequence,
    // Luxon values, not Dates: for a Date ical-generator would take the wall-clock time in the
    // server's own zone, not the meeting's.
    start: DateTime.fromJSDate(meeting.startsAt, { zone }),
    end: DateTime.fromJSDate(meeting.endsAt, { zone }),
    timezone: zone,
    summary: inLanguage(meeting.title, options.language),
    location: location || null,
    url: meeting.onlineUrl?.trim() ? uriValue(meeting.onlineUrl.trim()) : null,
    description: text || null,
    organizer: meeting.organizer ? { name: meeting.organizer.name, email: meeting.organizer.email } : null,
    status: cancel ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  // RFC 5545 ends every content line with CRLF, the last one too; ical-generator leaves it off,
  // and some importers then drop END:VCALENDAR.
  return `${calendar.toString()}\r\n`;
}

/** The .ics stored once as a file (`<meeting key>.ics`) for the outbox to attach by reference. */
export async function meetingCalendarFile(meeting: CalendarMeeting, options: CalendarOptions): Promise<Attachment> {
  return storeFile({
    name: `${meeting.key}.ics`,
    mediaType: `text/calendar; charset=utf-8; method=${options.method}`,
    bytes: meetingCalendar(meeting, options),
    origin: `meeting-calendar:${meeting._id.toString()}`,
  });
}
