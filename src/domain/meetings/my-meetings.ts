import { Types } from 'mongoose';
import { ContactModel, MeetingModel, RsvpModel, rsvpId, type Language, type RsvpAnswer } from '../../models/index.js';
import { formatDate, formatTime, localTitle, t } from '../../i18n/index.js';
import { audienceMembers } from '../audiences.js';
import { meetingAudience } from './meeting-audience.js';
import { decisionParagraphs } from './minutes.js';
import { rsvpStateLabel } from './rsvp.js';

/**
 * A member's meetings as surfaces without a conversation show them (Slack's App Home): the
 * upcoming ones with the person's answer, and the recent past ones with their minutes and
 * decisions. The adapter renders what this returns and imports no models.
 */

/** Enough for a screen; older meetings are in the minutes that were sent. */
const UPCOMING_LIMIT = 10;
const PAST_LIMIT = 5;
const PAST_WINDOW_MS = 365 * 24 * 60 * 60 * 1000;
/** Meetings looked at before the audience check narrows them to the person's. */
const CANDIDATES = 50;

type Title = { lv: string; en: string };

export interface MyAnswer {
  answer: RsvpAnswer;
  deputyName: string;
  waitlisted: boolean;
}

export interface MyUpcomingMeeting {
  id: string;
  title: Title;
  startsAt: Date;
  endsAt: Date;
  place: string;
  onlineUrl: string;
  answer: MyAnswer | null;
}

export interface MyPastMeeting {
  id: string;
  kind: string;
  title: Title;
  startsAt: Date;
  endsAt: Date;
  minutes: { label: string; url: string | null; fileName: string | null } | null;
  decisions: { number: number; title: Title; decision: string }[];
}

export interface MyMeetings {
  language: Language;
  timeZone: string;
  upcoming: MyUpcomingMeeting[];
  past: MyPastMeeting[];
}

const title = (t: { lv: string; en?: string | null }): Title => ({ lv: t.lv, en: t.en ?? '' });

/** The contact's meetings; null when there is no such active contact. */
export async function myMeetings(contactId: string, now: Date): Promise<MyMeetings | null> {
  if (!Types.ObjectId.isValid(contactId)) return null;
  const contact = await ContactModel.findById(contactId, { language: 1, timeZone: 1, active: 1 }).lean();
  if (!contact?.active) return null;
  const [upcoming, past] = await Promise.all([
    MeetingModel.find({ state: 'announced', endsAt: { $gt: now } }).sort({ startsAt: 1 }).limit(CANDIDATES),
    MeetingModel.find({ state: 'announced', endsAt: { $lte: now, $gte: new Date(now.getTime() - PAST_WINDOW_MS) } })
      .sort({ startsAt: -1 })
      .limit(CANDIDATES),
  ]);
  const all = [...upcoming, ...past];
  const rsvps = all.length > 0 ? await RsvpModel.find({ _id: { $in: all.map((m) => rsvpId(String(m._id), contactId)) } }).lean() : [];
  const answers = new Map(rsvps.map((r) => [String(r.meeting), r]));
  // An answer makes a meeting the person's even if the audience changed after they answered.
  const mine = async (meeting: (typeof all)[number]) =>
    answers.has(String(meeting._id)) || (await audienceMembers(await meetingAudience(meeting))).some((m) => m.contactId === contactId);
  const pick = async (list: typeof all, limit: number) => {
    const kept: typeof all = [];
    for (const meeting of list) {
      if (kept.length >= limit) break;
      if (await mine(meeting)) kept.push(meeting);
    }
    return kept;
  };

  return {
    language: contact.language,
    timeZone: contact.timeZone,
    upcoming: (await pick(upcoming, UPCOMING_LIMIT)).map((m) => {
      const rsvp = answers.get(String(m._id));
      return {
        id: String(m._id),
        title: title(m.title),
        startsAt: m.startsAt,
        endsAt: m.endsAt,
        place: m.place,
        onlineUrl: m.onlineUrl,
        answer: rsvp ? { answer: rsvp.answer, deputyName: rsvp.deputy?.name ?? '', waitlisted: rsvp.waitlisted } : null,
      };
    }),
    past: (await pick(past, PAST_LIMIT)).map((m) => ({
      id: String(m._id),
      kind: m.kind,
      title: title(m.title),
      startsAt: m.startsAt,
      endsAt: m.endsAt,
      minutes: m.minutes ? { label: m.minutes.label, url: m.minutes.url ?? null, fileName: m.minutes.fileName ?? null } : null,
      decisions: m.agenda.filter((a) => a.decision).map((a) => ({ number: a.number, title: title(a.title), decision: a.decision })),
    })),
  };
}

/** "27. marts 2026, 13.00–14.30" in the person's zone; the end's date only when it differs. */
export function meetingWhen(lang: Language, startsAt: Date, endsAt: Date, zone: string): string {
  const startDay = formatDate(lang, startsAt, zone);
  const endDay = formatDate(lang, endsAt, zone);
  const start = `${startDay}, ${formatTime(lang, startsAt, zone)}`;
  return endDay === startDay ? `${start}–${formatTime(lang, endsAt, zone)}` : `${start} – ${endDay}, ${formatTime(lang, endsAt, zone)}`;
}

/** One upcoming meeting's paragraph: title, time and place, the person's answer. */
export function upcomingMeetingText(m: MyUpcomingMeeting, lang: Language, timeZone: string): string {
  const place = m.place ? `\n${m.place}` : '';
  return t(lang, 'my_meetings.item', { title: localTitle(m.title, lang), when: meetingWhen(lang, m.startsAt, m.endsAt, timeZone), place, answer: rsvpStateLabel(lang, m.answer && { ...m.answer, deputy: { name: m.answer.deputyName } }) });
}

/** One past meeting's paragraph and its decisions ("Padomes lēmums" for a council). */
export function pastMeetingText(m: MyPastMeeting, lang: Language, timeZone: string): string {
  const head = t(lang, 'my_meetings.past_item', { title: localTitle(m.title, lang), when: meetingWhen(lang, m.startsAt, m.endsAt, timeZone) });
  const decisions = decisionParagraphs(m.kind, m.decisions, lang);
  return [head, ...decisions].join('\n\n');
}
