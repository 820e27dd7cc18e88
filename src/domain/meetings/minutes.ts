import { Types } from 'mongoose';
import { ATTENDING_ANSWERS, AuditEntryModel, MeetingModel, RsvpModel, type Language, type MeetingDoc } from '../../models/index.js';
import { formatDateTime, localTitle, t } from '../../i18n/index.js';
import { resolveAudience, type Recipient } from '../audiences.js';
import { storeFile } from '../chat/files.js';
import type { Attachment, LinkButton } from '../chat/message.js';
import { meetingMinutesKey } from '../delivery-keys.js';
import { uniqueByKey, type OutboundMessage } from '../outbound-message.js';
import { meetingAudience } from './meeting-audience.js';
import { isWebUrl } from './meeting-file.js';
import { documentFiles } from './meeting-messages.js';

/**
 * After a meeting the coordinator records its minutes (a link, or a file kept as a StoredFile) and
 * the decision on each agenda item, and sends both to those who came and to everyone invited.
 * Recording checks everything first and names every problem; nothing is stored (not even the file)
 * unless all of it is right. Sending is keyed per meeting, person and channel, so sending again
 * (a retry, a second coordinator) reaches only those not yet reached.
 */

export type Bilingual = { lv: string; en: string };

export const MINUTES_PROBLEM_CODES = [
  'unknown_meeting',
  'meeting_cancelled',
  'meeting_not_over',
  'label_missing',
  'link_invalid',
  'file_invalid',
  'unknown_agenda_item',
  'duplicate_decision',
  'decision_too_long',
] as const;
export type MinutesProblemCode = (typeof MINUTES_PROBLEM_CODES)[number];
export interface MinutesProblem {
  code: MinutesProblemCode;
  message: Bilingual;
}

/** The longest decision kept: a paragraph or two, as the council writes them. */
export const MAX_DECISION_CHARS = 2000;
const MAX_LABEL_CHARS = 200;

export type MinutesSource = { label: string; url: string } | { label: string; file: { name: string; mediaType: string; bytes: Buffer } };

export interface RecordMinutesInput {
  meetingKey: string;
  minutes: MinutesSource;
  decisions: { number: number; text: string }[];
  /** `cli`, `system`, or a contact id. */
  actor: string;
  now: Date;
}

export type RecordMinutesResult = { ok: true; meeting: MeetingDoc } | { ok: false; problems: MinutesProblem[] };

const problem = (code: MinutesProblemCode, lv: string, en: string): MinutesProblem => ({ code, message: { lv, en } });

function sourceProblems(source: MinutesSource): MinutesProblem[] {
  const problems: MinutesProblem[] = [];
  const label = source.label.trim();
  if (!label) problems.push(problem('label_missing', 'Protokolam vajag nosaukumu.', 'The minutes need a label.'));
  else if ([...label].length > MAX_LABEL_CHARS) {
    problems.push(problem('label_missing', `Protokola nosaukums ir garāks par ${MAX_LABEL_CHARS} rakstzīmēm.`, `The minutes' label is longer than ${MAX_LABEL_CHARS} characters.`));
  }
  if ('url' in source) {
    if (!isWebUrl(source.url.trim())) {
      problems.push(problem('link_invalid', `„${source.url}” nav derīga saite: tai jāsākas ar http:// vai https://.`, `"${source.url}" is not a valid link: it must start with http:// or https://.`));
    }
  } else {
    const { name, mediaType, bytes } = source.file;
    if (!name.trim() || !mediaType.trim() || bytes.length === 0) {
      problems.push(problem('file_invalid', `Protokola fails „${name}” ir tukšs vai bez nosaukuma vai tipa.`, `The minutes file "${name}" is empty or has no name or type.`));
    }
  }
  return problems;
}

function decisionProblems(meeting: MeetingDoc, decisions: RecordMinutesInput['decisions']): MinutesProblem[] {
  const problems: MinutesProblem[] = [];
  const numbers = new Set(meeting.agenda.map((item) => item.number));
  const seen = new Set<number>();
  for (const d of decisions) {
    if (!numbers.has(d.number)) {
      problems.push(problem('unknown_agenda_item', `Darba kārtībā nav punkta ${d.number}.`, `The agenda has no item ${d.number}.`));
    }
    if (seen.has(d.number)) {
      problems.push(problem('duplicate_decision', `Punktam ${d.number} lēmums norādīts vairākas reizes.`, `Item ${d.number} has more than one decision.`));
    }
    seen.add(d.number);
    const length = [...d.text.trim()].length;
    if (length > MAX_DECISION_CHARS) {
      problems.push(problem(
        'decision_too_long',
        `Punkta ${d.number} lēmums ir ${length} rakstzīmes garš; atļauts ne vairāk kā ${MAX_DECISION_CHARS}.`,
        `The decision on item ${d.number} is ${length} characters long; at most ${MAX_DECISION_CHARS} are allowed.`,
      ));
    }
  }
  return problems;
}

export async function recordMinutes(input: RecordMinutesInput): Promise<RecordMinutesResult> {
  const meeting = await MeetingModel.findOne({ key: input.meetingKey });
  const problems = sourceProblems(input.minutes);
  if (!meeting) {
    problems.unshift(problem('unknown_meeting', `Sēde „${input.meetingKey}” nav atrasta.`, `Meeting "${input.meetingKey}" not found.`));
    return { ok: false, problems };
  }
  if (meeting.state === 'cancelled') {
    problems.unshift(problem('meeting_cancelled', `Sēde „${meeting.key}” ir atcelta; tai nav protokola.`, `Meeting "${meeting.key}" was cancelled; it has no minutes.`));
  } else if (meeting.endsAt.getTime() > input.now.getTime()) {
    problems.unshift(problem('meeting_not_over', `Sēde „${meeting.key}” vēl nav beigusies; protokolu var pievienot pēc tās.`, `Meeting "${meeting.key}" has not ended yet; add the minutes after it.`));
  }
  problems.push(...decisionProblems(meeting, input.decisions));
  if (problems.length > 0) return { ok: false, problems };

  const label = input.minutes.label.trim();
  let minutes: { label: string; url?: string; fileId?: string; fileName?: string; mediaType?: string };
  if ('url' in input.minutes) {
    minutes = { label, url: input.minutes.url.trim() };
  } else {
    let stored: Attachment;
    try {
      stored = await storeFile({ ...input.minutes.file, origin: `meeting-minutes:${String(meeting._id)}` });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      return { ok: false, problems: [problem('file_invalid', `Protokola fails ir par lielu: ${error.message}.`, `The minutes file is too large: ${error.message}.`)] };
    }
    minutes = { label, fileId: stored.source.fileId, fileName: stored.name, mediaType: stored.mediaType };
  }
  const decided = new Map(input.decisions.map((d) => [d.number, d.text.trim()]));
  const agenda = meeting.agenda.map((item) => ({
    number: item.number,
    title: { lv: item.title.lv, en: item.title.en ?? '' },
    presenter: item.presenter,
    decision: decided.get(item.number) ?? item.decision,
  }));
  await MeetingModel.updateOne({ _id: meeting._id }, { $set: { minutes, agenda } });
  await AuditEntryModel.create({
    at: input.now,
    actor: input.actor,
    action: 'meeting.minutes',
    subject: `meeting:${String(meeting._id)}`,
    details: { key: meeting.key, minutes: { label, url: minutes.url, fileId: minutes.fileId }, decisions: [...decided.keys()] },
  });
  const saved = await MeetingModel.findById(meeting._id);
  return { ok: true, meeting: saved ?? meeting };
}

/** Those who said they come (themselves or by a deputy) and had a place. */
async function attendeeIds(meetingId: Types.ObjectId): Promise<string[]> {
  const rsvps = await RsvpModel.find({ meeting: meetingId, answer: { $in: [...ATTENDING_ANSWERS] }, waitlisted: false }, { contact: 1 }).lean();
  return rsvps.map((r) => String(r.contact));
}

/** One paragraph per decided agenda item: "2. Title\nPadomes lēmums: …" ("Lēmums" outside the council). */
export function decisionParagraphs(
  kind: string,
  agenda: readonly { number: number; title: { lv: string; en?: string | null }; decision: string }[],
  lang: Language,
): string[] {
  const label = t(lang, kind === 'council' ? 'minutes.decision.council' : 'minutes.decision.other');
  return agenda
    .filter((item) => item.decision)
    .map((item) => t(lang, 'minutes.item', { number: item.number, title: localTitle(item.title, lang), label, decision: item.decision }));
}

/** The minutes message in one person's language and zone. */
function minutesText(meeting: MeetingDoc, lang: Language, timeZone: string): string {
  const items = decisionParagraphs(meeting.kind, meeting.agenda, lang);
  const heading = t(lang, 'minutes.heading', { title: localTitle(meeting.title, lang), date: formatDateTime(lang, meeting.startsAt, timeZone) });
  const minutes = meeting.minutes;
  const where = minutes?.fileId ? t(lang, 'minutes.attached', { label: minutes.label }) : t(lang, 'minutes.linked', { label: minutes?.label ?? '' });
  return [heading, ...(items.length > 0 ? items : [t(lang, 'minutes.no_decisions')]), where].join('\n\n');
}

export interface ProduceMinutesInput {
  meetingId: string;
  produce: (messages: OutboundMessage[]) => Promise<unknown>;
  now?: Date;
}

export type ProduceMinutesResult = { ok: true; messages: number } | { ok: false; problems: MinutesProblem[] };

/**
 * Sends the stored minutes and decisions to the attendees and the rest of the audience, one
 * message per person and channel, then notes when. A person who is both is told once.
 */
export async function produceMinutes(input: ProduceMinutesInput): Promise<ProduceMinutesResult> {
  const meeting = Types.ObjectId.isValid(input.meetingId) ? await MeetingModel.findById(input.meetingId) : null;
  if (!meeting) return { ok: false, problems: [problem('unknown_meeting', `Sēde „${input.meetingId}” nav atrasta.`, `Meeting "${input.meetingId}" not found.`)] };
  if (!meeting.minutes) {
    return { ok: false, problems: [problem('label_missing', `Sēdei „${meeting.key}” vēl nav protokola.`, `Meeting "${meeting.key}" has no minutes yet.`)] };
  }
  const attendees = await attendeeIds(meeting._id);
  const recipients: Recipient[] = [
    ...(attendees.length > 0 ? await resolveAudience({ contacts: attendees }) : []),
    ...(await resolveAudience(await meetingAudience(meeting))),
  ];
  const { minutes } = meeting;
  const links: LinkButton[] = minutes.url ? [{ label: minutes.label, url: minutes.url }] : [];
  const attachments = documentFiles([minutes]);
  const messages = uniqueByKey(
    recipients.map((r) => ({
      key: meetingMinutesKey({ meetingId: String(meeting._id), contactId: r.contactId, channel: r.channel }),
      purpose: 'meeting.minutes',
      priority: 'notice' as const,
      contact: r.contactId,
      channel: r.channel,
      address: r.address,
      text: minutesText(meeting, r.language, r.timeZone),
      links,
      attachments,
    })),
  );
  if (messages.length > 0) await input.produce(messages);
  await MeetingModel.updateOne({ _id: meeting._id }, { $set: { minutesSentAt: input.now ?? new Date() } });
  return { ok: true, messages: messages.length };
}

/**
 * Every meeting whose minutes were recorded but not yet sent: the scheduler's tick calls this, so
 * minutes recorded from the CLI (which has no outbox) go out within a minute, and a send that
 * failed half-way is finished at the next tick without telling anybody twice.
 */
export async function sendPendingMinutes(input: { produce: ProduceMinutesInput['produce']; now: Date }): Promise<{ meetings: number; messages: number }> {
  const pending = await MeetingModel.find({ state: 'announced', minutes: { $exists: true }, minutesSentAt: { $exists: false } }, { _id: 1 }).lean();
  let messages = 0;
  for (const meeting of pending) {
    const result = await produceMinutes({ meetingId: String(meeting._id), produce: input.produce, now: input.now });
    if (result.ok) messages += result.messages;
  }
  return { meetings: pending.length, messages };
}
