import type { Types } from 'mongoose';
import { AuditEntryModel } from '../../models/audit-entry.js';
import { CommitmentModel } from '../../models/commitment.js';
import { ContactModel } from '../../models/contact.js';
import { isDuplicateKey } from '../../models/duplicate-key.js';
import { InstitutionModel } from '../../models/institution.js';
import { MeetingModel, type Meeting, type MeetingChange, type MeetingDoc } from '../../models/meeting.js';
import { PlanModel } from '../../models/plan.js';
import { showValue, sortProblems, type ImportProblem } from '../plan/plan-import-problem.js';
import { checkMeetingFile, localText, type MeetingFile, type MeetingFileCheck } from './meeting-file.js';

/**
 * Creating, editing and cancelling meetings. A meeting file names its meeting by key, so importing
 * it again edits that meeting. Only a change people must act on (time, place, link) raises
 * `sequence`, the calendar file's SEQUENCE and the change notice's key: fixing a typo in the agenda
 * must not send everyone a change notice. Every save is all or nothing: any problem, nothing written.
 */

export interface SaveMeetingOptions {
  /** Who saves, for the audit log: `cli`, or a contact id. */
  actor: string;
  now?: Date;
  /** The meeting's zone when the file names none: the TZ_DEFAULT setting. */
  defaultTimeZone?: string;
}

export type SaveMeetingResult =
  | {
      ok: true;
      meeting: MeetingDoc;
      created: boolean;
      /** Time, place or link changes that raised the sequence; empty for a new meeting. */
      changes: MeetingChange[];
      /** Every stored field that changed (for the CLI's summary and the audit log). */
      changedFields: string[];
    }
  | { ok: false; problems: ImportProblem[] };

interface Resolved {
  planId?: Types.ObjectId;
  contactIds: Map<string, Types.ObjectId>;
  organizerId?: Types.ObjectId;
}

const nameOf = (contact: { name: string; email: string }) => `${showValue(contact.email)} (${contact.name})`;

/** The names the file refers to, looked up in one read per collection. */
async function resolveNames(check: MeetingFileCheck): Promise<{ problems: ImportProblem[]; resolved: Resolved }> {
  const { references: refs, problemAt } = check;
  const problems: ImportProblem[] = [];
  const resolved: Resolved = { contactIds: new Map() };

  if (refs.planKey !== undefined) {
    const plan = await PlanModel.findOne({ key: refs.planKey }, { _id: 1 }).lean();
    if (!plan) problems.push(problemAt(['plan'], `there is no plan ${showValue(refs.planKey)} (load it with import-plan first)`));
    resolved.planId = plan?._id;
  }
  if (resolved.planId && refs.commitments.length > 0) {
    const stored = await CommitmentModel.find({ plan: resolved.planId }, { number: 1 }).lean();
    const numbers = new Set(stored.map((c) => c.number));
    const known = [...numbers].sort((a, b) => a - b).join(', ');
    for (const { number, path } of refs.commitments) {
      if (!numbers.has(number)) problems.push(problemAt(path, `plan ${refs.planKey} has no commitment ${number} (it has ${known || 'none'})`));
    }
  }
  if (refs.institutions.length > 0) {
    const stored = await InstitutionModel.find({ code: { $in: refs.institutions.map((i) => i.code) } }, { code: 1 }).lean();
    const codes = new Set(stored.map((i) => i.code));
    for (const { code, path } of refs.institutions) {
      if (!codes.has(code)) problems.push(problemAt(path, `${showValue(code)} is not a known institution code (such as VK or VARAM)`));
    }
  }

  const emails = [...refs.people.map((p) => p.email), ...(refs.organizer ? [refs.organizer.email] : [])];
  if (emails.length > 0) {
    const contacts = await ContactModel.find({ email: { $in: emails } }, { name: 1, email: 1, roles: 1, active: 1 }).lean();
    const byEmail = new Map(contacts.map((c) => [c.email, c]));
    for (const { email, path } of refs.people) {
      const contact = byEmail.get(email);
      if (!contact) problems.push(problemAt(path, `nobody has the e-mail ${showValue(email)} (import the contact list first)`));
      else if (!contact.active) problems.push(problemAt(path, `${nameOf(contact)} is no longer active`));
      else resolved.contactIds.set(email, contact._id);
    }
    if (refs.organizer) {
      const { email, path } = refs.organizer;
      const contact = byEmail.get(email);
      if (!contact) problems.push(problemAt(path, `nobody has the e-mail ${showValue(email)} (import the contact list first)`));
      else if (!contact.active || !contact.roles.includes('coordinator')) {
        problems.push(problemAt(path, `${nameOf(contact)} is not an active coordinator; the organizer must be one`));
      } else resolved.organizerId = contact._id;
    }
  }
  return { problems, resolved };
}

/** The stored fields a file sets. Stored-file materials (added from chat) are not the file's. */
function fieldsOf(file: MeetingFile, resolved: Resolved, stored: Meeting | null) {
  const decisions = new Map((stored?.agenda ?? []).map((item) => [item.number, item.decision ?? '']));
  const storedFiles = (stored?.materials ?? []).filter((m) => m.fileId);
  return {
    plan: resolved.planId,
    kind: file.kind,
    title: file.title,
    startsAt: file.startsAt,
    endsAt: file.endsAt,
    timeZone: file.timeZone,
    place: file.place,
    onlineUrl: file.onlineUrl,
    registrationDeadline: file.registrationDeadline,
    capacity: file.capacity,
    // A decision belongs to the agenda item's number; rewording the item keeps the decision.
    agenda: file.agenda.map((item) => ({ ...item, decision: decisions.get(item.number) ?? '' })),
    materials: [...file.materials, ...storedFiles],
    audience: {
      roles: file.audience.roles,
      institutions: file.audience.institutions,
      commitments: file.audience.commitments,
      contacts: file.audience.people.flatMap((email) => resolved.contactIds.get(email) ?? []),
    },
    organizer: resolved.organizerId,
  };
}
type MeetingFields = ReturnType<typeof fieldsOf>;

/** JSON with sorted keys and no nulls, so a stored document and a new one compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(JSON.parse(JSON.stringify(value ?? null)), (_key, v: unknown) => {
    if (v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) return v;
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return Object.fromEntries(entries);
  }) ?? '';
}

/** The fields whose stored value differs from the file's. */
function differences(stored: Meeting, next: MeetingFields): string[] {
  const old = stored as unknown as Record<string, unknown>;
  return (Object.keys(next) as (keyof MeetingFields)[]).filter((field) => canonical(old[field]) !== canonical(next[field]));
}

function noticeChanges(stored: Meeting, next: MeetingFields): MeetingChange[] {
  const changes: MeetingChange[] = [];
  if (stored.startsAt.getTime() !== next.startsAt.getTime() || stored.endsAt.getTime() !== next.endsAt.getTime()) changes.push('time');
  if ((stored.place ?? '') !== next.place) changes.push('place');
  if ((stored.onlineUrl ?? '') !== next.onlineUrl) changes.push('link');
  return changes;
}

/**
 * Creates the meeting the file describes, or edits the meeting with its key. The file, the names
 * it refers to and the stored meeting's state are all checked, and every problem reported, before
 * anything is written.
 */
export async function saveMeeting(source: string | Record<string, unknown>, options: SaveMeetingOptions): Promise<SaveMeetingResult> {
  const check = checkMeetingFile(source, { defaultTimeZone: options.defaultTimeZone });
  const names = await resolveNames(check);
  return write(check, names, options, true);
}

async function write(
  check: MeetingFileCheck,
  names: { problems: ImportProblem[]; resolved: Resolved },
  options: SaveMeetingOptions,
  retry: boolean,
): Promise<SaveMeetingResult> {
  const now = options.now ?? new Date();
  const file = check.meeting;
  const stored = file ? await MeetingModel.findOne({ key: file.key }) : null;
  const fields = file && fieldsOf(file, names.resolved, stored);
  const problems = [...check.problems, ...names.problems, ...(file && fields ? stateProblems(file, fields, stored, check, now) : [])];
  if (!file || !fields || problems.length > 0) return { ok: false, problems: sortProblems(problems) };

  if (stored) return editMeeting(stored, fields, file, check, options.actor, now);
  try {
    const meeting = await MeetingModel.create({ key: file.key, ...fields, state: 'announced', sequence: 0 });
    await audit(options.actor, now, 'meeting.create', file.key, { sequence: 0 });
    return { ok: true, meeting, created: true, changes: [], changedFields: [] };
  } catch (error) {
    // Two imports of a new file at once: the unique key lets one insert; the other edits it.
    if (retry && isDuplicateKey(error)) return write(check, names, options, false);
    throw error;
  }
}

/**
 * A cancelled meeting stays as it was announced (its calendar entry is gone). A new meeting, or a
 * new time, must lie ahead: nobody can come to a meeting in the past.
 */
function stateProblems(file: MeetingFile, fields: MeetingFields, stored: MeetingDoc | null, check: MeetingFileCheck, now: Date): ImportProblem[] {
  const problems: ImportProblem[] = [];
  if (stored?.state === 'cancelled') {
    const when = stored.cancelledAt ? ` on ${localText(stored.cancelledAt, stored.timeZone)}` : '';
    problems.push(check.problemAt(['key'], `meeting ${file.key} was cancelled${when} and cannot be edited; give a new meeting a new key`));
  }
  if (stored && !noticeChanges(stored, fields).includes('time')) return problems;
  const at = `it is ${localText(now, file.timeZone)} in ${file.timeZone} now`;
  if (file.startsAt <= now) problems.push(check.problemAt(['start'], `is already past (${at})`));
  if (file.registrationDeadline && file.registrationDeadline <= now) {
    problems.push(check.problemAt(['registrationDeadline'], `is already past (${at})`));
  }
  return problems;
}

async function editMeeting(
  stored: MeetingDoc,
  fields: MeetingFields,
  file: MeetingFile,
  check: MeetingFileCheck,
  actor: string,
  now: Date,
): Promise<SaveMeetingResult> {
  const changedFields = differences(stored.toObject(), fields);
  const changes = noticeChanges(stored, fields);
  if (changedFields.length === 0) return { ok: true, meeting: stored, created: false, changes: [], changedFields: [] };

  const update = changes.length > 0 ? { $set: { ...fields, lastChange: changes }, $inc: { sequence: 1 } } : { $set: fields };
  // Conditional on the sequence and state read above, so a cancel or another change in between
  // is not overwritten and no change is counted twice.
  const meeting = await MeetingModel.findOneAndUpdate({ _id: stored._id, state: 'announced', sequence: stored.sequence }, update, {
    new: true,
  });
  if (!meeting) {
    return { ok: false, problems: [check.problemAt(['key'], `meeting ${file.key} was changed by someone else while this was saved; import the file again`)] };
  }
  await audit(actor, now, 'meeting.edit', file.key, { changedFields, changes, sequence: meeting.sequence });
  return { ok: true, meeting, created: false, changes, changedFields };
}

async function audit(actor: string, at: Date, action: string, key: string, details: Record<string, unknown>): Promise<void> {
  await AuditEntryModel.create({ at, actor, action, subject: `meeting:${key}`, details });
}

export const MEETING_ERROR_CODES = ['unknown_meeting', 'already_cancelled', 'already_over'] as const;
export type MeetingErrorCode = (typeof MEETING_ERROR_CODES)[number];
export interface MeetingError {
  code: MeetingErrorCode;
  message: { lv: string; en: string };
}
export type CancelMeetingResult = { ok: true; meeting: MeetingDoc } | { ok: false; error: MeetingError };

const failure = (code: MeetingErrorCode, lv: string, en: string) => ({ ok: false as const, error: { code, message: { lv, en } } });

/** Cancels an announced meeting that has not ended: state cancelled, sequence +1 (METHOD:CANCEL). */
export async function cancelMeeting(input: { key: string; actor: string; now?: Date }): Promise<CancelMeetingResult> {
  const now = input.now ?? new Date();
  const { key } = input;
  const meeting = await MeetingModel.findOneAndUpdate(
    { key, state: 'announced', endsAt: { $gt: now } },
    { $set: { state: 'cancelled', cancelledAt: now }, $inc: { sequence: 1 } },
    { new: true },
  );
  if (!meeting) {
    const stored = await MeetingModel.findOne({ key }, { state: 1, endsAt: 1 }).lean();
    if (!stored) return failure('unknown_meeting', `Sanāksme „${key}” nav atrasta.`, `Meeting "${key}" not found.`);
    if (stored.state === 'cancelled') return failure('already_cancelled', `Sanāksme „${key}” jau ir atcelta.`, `Meeting "${key}" is already cancelled.`);
    return failure('already_over', `Sanāksme „${key}” jau ir notikusi.`, `Meeting "${key}" has already taken place.`);
  }
  await audit(input.actor, now, 'meeting.cancel', key, { sequence: meeting.sequence });
  return { ok: true, meeting };
}

/** Meetings that have not ended yet, cancelled ones too (people should see those), soonest first. */
export async function upcomingMeetings(now: Date = new Date()): Promise<MeetingDoc[]> {
  return MeetingModel.find({ endsAt: { $gt: now } }).sort({ startsAt: 1, key: 1 });
}
