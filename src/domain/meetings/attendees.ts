import { Types } from 'mongoose';
import { ContactModel, MeetingModel, RsvpModel, type Language, type RsvpAnswer } from '../../models/index.js';
import { formatDateTime, localTitle, t, truncate } from '../../i18n/index.js';
import { audienceMembers } from '../audiences.js';
import { storeFile } from '../chat/files.js';
import { textMessage, type Message } from '../chat/message.js';
import { OVERVIEW_WIDTH } from '../rounds/coordinator-overview.js';
import { CSV_MEDIA_TYPE, spreadsheetCsv } from '../spreadsheet-csv.js';
import { meetingAudience } from './meeting-audience.js';
import { localText } from './meeting-file.js';
import type { Deputy } from './rsvp.js';

/**
 * Who comes to a meeting, for its coordinators: counts (on site / online / deputy / not
 * attending / no answer / waiting) over everyone invited, and the list as a CSV file. Everyone
 * invited is the meeting's audience now plus whoever answered (the audience may have changed
 * since they did), so nobody who said "I come" drops out of the list.
 */

const ATTENDEE_COUNTS = ['on_site', 'online', 'deputy', 'not_attending', 'no_answer', 'waiting'] as const;
export type AttendeeCount = (typeof ATTENDEE_COUNTS)[number];

export interface AttendeeRow {
  contactId: string;
  name: string;
  institution: string;
  answer: RsvpAnswer | null;
  waitlisted: boolean;
  deputy: Deputy | null;
  answeredAt: Date | null;
}

export interface AttendeeSummary {
  meeting: { id: string; key: string; title: { lv: string; en: string }; startsAt: Date; timeZone: string; capacity: number | null };
  counts: Record<AttendeeCount, number> & { total: number };
  rows: AttendeeRow[];
}

const countOf = (row: AttendeeRow): AttendeeCount => (row.waitlisted ? 'waiting' : (row.answer ?? 'no_answer'));

/** null when there is no such meeting. */
export async function attendeeSummary(meetingId: string): Promise<AttendeeSummary | null> {
  const meeting = Types.ObjectId.isValid(meetingId) ? await MeetingModel.findById(meetingId).lean() : null;
  if (!meeting) return null;
  const [members, answers] = await Promise.all([audienceMembers(await meetingAudience(meeting)), RsvpModel.find({ meeting: meeting._id }).lean()]);
  const byContact = new Map(answers.map((a) => [String(a.contact), a]));
  const people = new Map(members.map((m) => [m.contactId, { name: m.name, institution: m.institution }]));
  const outside = answers.map((a) => a.contact).filter((id) => !people.has(String(id)));
  if (outside.length > 0) {
    for (const c of await ContactModel.find({ _id: { $in: outside } }, { name: 1, institution: 1 }).lean()) {
      people.set(String(c._id), { name: c.name, institution: c.institution ?? '' });
    }
  }
  const rows: AttendeeRow[] = [...people.entries()]
    .map(([contactId, person]) => {
      const rsvp = byContact.get(contactId);
      const deputy = rsvp?.answer === 'deputy' && rsvp.deputy?.name ? { name: rsvp.deputy.name, institution: rsvp.deputy.institution ?? '' } : null;
      return { contactId, ...person, answer: rsvp?.answer ?? null, waitlisted: rsvp?.waitlisted ?? false, deputy, answeredAt: rsvp?.answeredAt ?? null };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'lv') || a.contactId.localeCompare(b.contactId));
  const counts = { ...(Object.fromEntries(ATTENDEE_COUNTS.map((c) => [c, 0])) as Record<AttendeeCount, number>), total: rows.length };
  for (const row of rows) counts[countOf(row)] += 1;
  return {
    meeting: {
      id: String(meeting._id),
      key: meeting.key,
      title: { lv: meeting.title.lv, en: meeting.title.en ?? '' },
      startsAt: meeting.startsAt,
      timeZone: meeting.timeZone,
      capacity: meeting.capacity ?? null,
    },
    counts,
    rows,
  };
}

/** Column names and answers are part of the file, so they live here rather than in the chat catalogues. */
const LABELS = {
  lv: {
    columns: { name: 'Vārds, uzvārds', institution: 'Institūcija', answer: 'Atbilde', waiting: 'Gaidītāju sarakstā', deputy: 'Aizvietotājs', deputyInstitution: 'Aizvietotāja institūcija', answeredAt: 'Atbildes laiks' },
    counts: { on_site: 'klātienē', online: 'tiešsaistē', deputy: 'sūta aizvietotāju', not_attending: 'nepiedalās', no_answer: 'nav atbildes', waiting: 'gaidītāju sarakstā' },
    yes: 'jā',
  },
  en: {
    columns: { name: 'Name', institution: 'Institution', answer: 'Answer', waiting: 'On the waiting list', deputy: 'Deputy', deputyInstitution: "Deputy's institution", answeredAt: 'Answered at' },
    counts: { on_site: 'on site', online: 'online', deputy: 'sending a deputy', not_attending: 'not attending', no_answer: 'no answer', waiting: 'waiting list' },
    yes: 'yes',
  },
} as const;

/** One row per person invited, times in the meeting's zone, for a spreadsheet (spreadsheet-csv.ts). */
export function attendeesCsv(summary: AttendeeSummary, lang: Language): string {
  const L = LABELS[lang];
  const records = summary.rows.map((row) => ({
    name: row.name,
    institution: row.institution,
    // A waiting person's answer is still what they asked for; the next column says they wait.
    answer: L.counts[row.answer ?? 'no_answer'],
    waiting: row.waitlisted ? L.yes : '',
    deputy: row.deputy?.name ?? '',
    deputyInstitution: row.deputy?.institution ?? '',
    answeredAt: row.answeredAt ? localText(row.answeredAt, summary.meeting.timeZone) : '',
  }));
  const keys = Object.keys(L.columns) as (keyof typeof L.columns)[];
  return spreadsheetCsv(records, keys.map((key) => ({ key, header: L.columns[key] })));
}

const FIGURE_SPACE = '\u2007';

/** The counts for a phone: one per line, numbers padded with figure spaces so they line up (coordinator-overview.ts). */
function attendeesText(summary: AttendeeSummary, lang: Language, zone: string): string {
  const { meeting, counts } = summary;
  const digits = String(counts.total).length;
  const pad = (n: number) => String(n).padStart(digits, FIGURE_SPACE);
  const when = formatDateTime(lang, meeting.startsAt, zone, 'numeric');
  const lines = [t(lang, 'attendees.heading', { title: truncate(localTitle(meeting.title, lang), OVERVIEW_WIDTH - 2), key: meeting.key, when })];
  if (meeting.capacity != null) lines.push(t(lang, 'attendees.capacity', { capacity: meeting.capacity }));
  lines.push('', ...ATTENDEE_COUNTS.map((c) => t(lang, `attendees.${c}`, { n: pad(counts[c]) })), t(lang, 'attendees.total', { n: pad(counts.total) }));
  return lines.join('\n');
}

/** Upcoming meetings' keys, for a coordinator who typed no key (or a wrong one). */
async function upcomingKeys(lang: Language, zone: string, prefix: string, now: Date): Promise<string> {
  const meetings = await MeetingModel.find({ state: 'announced', endsAt: { $gt: now } }, { key: 1, title: 1, startsAt: 1 }).sort({ startsAt: 1 }).limit(20).lean();
  if (meetings.length === 0) return t(lang, 'attendees.none');
  const lines = meetings.map((m) => `${m.key}\n  ${truncate(localTitle(m.title, lang), OVERVIEW_WIDTH - 2)}\n  ${formatDateTime(lang, m.startsAt, zone, 'numeric')}`);
  return [t(lang, 'attendees.choose', { prefix }), ...lines].join('\n');
}

/** `/attendees <meeting key>`: the counts and the CSV; without a key, the keys to choose from. */
export async function attendeesCommand(
  coordinator: { language: Language; timeZone: string },
  args: string,
  commandPrefix: string,
  now: Date,
): Promise<Message> {
  const { language: lang, timeZone: zone } = coordinator;
  const key = args.trim();
  if (!key) return textMessage(await upcomingKeys(lang, zone, commandPrefix, now));
  const meeting = await MeetingModel.findOne({ key }, { _id: 1 }).lean();
  const summary = meeting ? await attendeeSummary(String(meeting._id)) : null;
  if (!summary) return textMessage(`${t(lang, 'attendees.unknown', { key })}\n\n${await upcomingKeys(lang, zone, commandPrefix, now)}`);
  const csv = await storeFile({
    name: `${summary.meeting.key}-${lang === 'lv' ? 'dalibnieki' : 'attendees'}.csv`,
    mediaType: CSV_MEDIA_TYPE,
    bytes: attendeesCsv(summary, lang),
    origin: `meeting-attendees:${summary.meeting.id}`,
  });
  return { text: `${attendeesText(summary, lang, zone)}\n\n${t(lang, 'attendees.file')}`, choices: [], attachments: [csv] };
}
