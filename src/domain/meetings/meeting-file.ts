import { DateTime, IANAZone } from 'luxon';
import { Document, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { CONTACT_ROLES, type ContactRole } from '../../models/contact.js';
import { MEETING_KINDS, type MeetingKind } from '../../models/meeting.js';
import { FORUM_TIME_ZONE } from '../../models/shared.js';
import { fieldName, issueMessage, lineOf, type Path } from '../plan/plan-file.js';
import { showValue, sortProblems, type ImportProblem } from '../plan/plan-import-problem.js';

/**
 * The meeting file (config/meetings/*.yaml): one meeting, written the way the invitations in the
 * source documents read, with local times in the meeting's zone. Checking it needs no database;
 * the names it refers to (plan, institutions, commitments, people, organizer) are resolved by
 * saveMeeting, which reports those problems together with these.
 */

/**
 * Every text ends up in one chat message (Telegram's limit is 4096 characters, Slack's section
 * 3000), with the whole agenda: the limits keep a complete invitation within one message.
 */
export const MAX_AGENDA_TITLE = 500;
export const MAX_TITLE = 300;
export const MAX_AGENDA_ITEMS = 20;
const MAX_MATERIALS = 20;
const MAX_URL = 2000;

const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})$/;
/** How a meeting file writes a time: on the wall clock of the meeting's zone. */
export const LOCAL_FORMAT = 'yyyy-MM-dd HH:mm';
/** An instant as a meeting file would write it in `zone`. */
export const localText = (at: Date, zone: string): string => DateTime.fromJSDate(at, { zone }).toFormat(LOCAL_FORMAT);

const text = z.string('must be text').trim().min(1, 'must not be empty');
const limited = (max: number) => text.max(max, `must be at most ${max} characters`);
const optionalText = (max: number) => z.string('must be text').trim().max(max, `must be at most ${max} characters`).default('');

export function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const webUrl = limited(MAX_URL).refine(isWebUrl, 'must be a web address starting with https:// or http://');
const email = z.string('must be text').trim().toLowerCase().pipe(z.email('must be an e-mail address such as anna.liepa@example.lv'));
const localDateTime = z
  .string('must be text such as 2026-03-27 10:00')
  .trim()
  .regex(LOCAL_DATE_TIME, 'must be a local date and time written as YYYY-MM-DD HH:MM, such as 2026-03-27 10:00');

const meetingFileSchema = z.strictObject({
  key: limited(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and -, such as padome-2026-03'),
  /** The plan whose commitments the audience names; left out for a meeting of no one plan. */
  plan: text.optional(),
  kind: z.enum(MEETING_KINDS),
  title: z.strictObject({ lv: limited(MAX_TITLE), en: optionalText(MAX_TITLE) }),
  /** Left out: the importer's default zone (TZ_DEFAULT). */
  timeZone: text.refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Europe/Riga').optional(),
  start: localDateTime,
  end: localDateTime,
  place: optionalText(MAX_TITLE),
  onlineUrl: webUrl.optional(),
  registrationDeadline: localDateTime.optional(),
  capacity: z.int('must be a whole number').min(1, 'must be 1 or more').optional(),
  organizer: email,
  agenda: z
    .array(
      z.strictObject({
        number: z.int('must be a whole number').min(1, 'must be 1 or more'),
        title: z.strictObject({ lv: limited(MAX_AGENDA_TITLE), en: optionalText(MAX_AGENDA_TITLE) }),
        presenter: optionalText(MAX_TITLE),
      }),
      'must be a list',
    )
    .max(MAX_AGENDA_ITEMS, `must have at most ${MAX_AGENDA_ITEMS} items`)
    .default([]),
  materials: z
    .array(z.strictObject({ label: limited(MAX_TITLE), url: webUrl }), 'must be a list')
    .max(MAX_MATERIALS, `must have at most ${MAX_MATERIALS} items`)
    .default([]),
  audience: z.strictObject({
    roles: z.array(z.enum(CONTACT_ROLES), 'must be a list of roles').default([]),
    institutions: z.array(text, 'must be a list of institution codes').default([]),
    commitments: z.array(z.int('must be a whole number').min(1, 'must be 1 or more'), 'must be a list of commitment numbers').default([]),
    people: z.array(email, 'must be a list of e-mail addresses').default([]),
  }),
});

/** A checked meeting file: times are instants, names are still names. */
export interface MeetingFile {
  key: string;
  planKey?: string;
  kind: MeetingKind;
  title: { lv: string; en: string };
  timeZone: string;
  startsAt: Date;
  endsAt: Date;
  place: string;
  onlineUrl: string;
  registrationDeadline?: Date;
  capacity?: number;
  agenda: { number: number; title: { lv: string; en: string }; presenter: string }[];
  materials: { label: string; url: string }[];
  audience: { roles: ContactRole[]; institutions: string[]; commitments: number[]; people: string[] };
  /** E-mail address. */
  organizer: string;
}

/** Names in the file that only the database can check, with where they are. */
export interface MeetingReferences {
  planKey?: string;
  institutions: { code: string; path: Path }[];
  commitments: { number: number; path: Path }[];
  people: { email: string; path: Path }[];
  organizer?: { email: string; path: Path };
}

export interface MeetingFileCheck {
  /** Present only when `problems` is empty. */
  meeting?: MeetingFile;
  problems: ImportProblem[];
  /** Collected even from a file with problems, so one run reports the unknown names as well. */
  references: MeetingReferences;
  /** A problem at a place in the file (its line, when the meeting came from text). */
  problemAt(path: Path, message: string): ImportProblem;
}

type Raw = Record<string, unknown>;
const asRecord = (value: unknown): Raw => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : {});
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

type LocalTime = { ok: true; at: DateTime } | { ok: false; message: string };

/**
 * A wall-clock time in the zone. Luxon quietly moves a time in the spring-forward gap an hour on
 * and picks one of the two readings of a time in the autumn overlap; an invitation must not guess,
 * so both are refused with the reason.
 */
export function localTime(value: string, zone: string): LocalTime {
  const match = LOCAL_DATE_TIME.exec(value.trim());
  if (!match) return { ok: false, message: 'must be a local date and time written as YYYY-MM-DD HH:MM, such as 2026-03-27 10:00' };
  const written = `${match[1]} ${match[2]}`;
  const at = DateTime.fromFormat(written, LOCAL_FORMAT, { zone });
  if (!at.isValid) return { ok: false, message: `${showValue(value)} is not a date and time of the calendar` };
  if (at.toFormat(LOCAL_FORMAT) !== written) {
    return { ok: false, message: `${showValue(value)} does not exist in ${zone}: the clocks go forward that night; choose a time outside the skipped hour` };
  }
  const offsets = at.getPossibleOffsets();
  if (offsets.length > 1) {
    const readings = offsets.map((o) => o.toFormat('ZZ')).join(' and ');
    return { ok: false, message: `${showValue(value)} happens twice in ${zone} (at ${readings}): the clocks go back that night; choose a time outside the repeated hour` };
  }
  return { ok: true, at };
}

function collectReferences(raw: Raw): MeetingReferences {
  const audience = asRecord(raw.audience);
  const pick = <T>(list: string, keep: (value: unknown) => value is T) =>
    asList(audience[list]).flatMap((value, i) => (keep(value) ? [{ value, path: ['audience', list, i] as Path }] : []));
  const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
  const isNumber = (v: unknown): v is number => Number.isInteger(v);
  return {
    planKey: isText(raw.plan) ? raw.plan.trim() : undefined,
    institutions: pick('institutions', isText).map(({ value, path }) => ({ code: value.trim(), path })),
    commitments: pick('commitments', isNumber).map(({ value, path }) => ({ number: value, path })),
    people: pick('people', isText).map(({ value, path }) => ({ email: value.trim().toLowerCase(), path })),
    organizer: isText(raw.organizer) ? { email: raw.organizer.trim().toLowerCase(), path: ['organizer'] } : undefined,
  };
}

/** Rules across fields. They run on the raw data even when the schema failed, so one run tells all. */
function crossCheck(raw: Raw, zone: string, report: (path: Path, message: string) => void): Map<string, DateTime> {
  const times = new Map<string, DateTime>();
  for (const field of ['start', 'end', 'registrationDeadline']) {
    const value = raw[field];
    if (typeof value !== 'string' || !LOCAL_DATE_TIME.test(value.trim())) continue;
    const local = localTime(value, zone);
    if (local.ok) times.set(field, local.at);
    else report([field], local.message);
  }
  const start = times.get('start');
  const end = times.get('end');
  const deadline = times.get('registrationDeadline');
  if (start && end && end <= start) report(['end'], `must be after the start (${start.toFormat(LOCAL_FORMAT)}); got ${end.toFormat(LOCAL_FORMAT)}`);
  if (start && deadline && deadline >= start) {
    report(['registrationDeadline'], `must be before the start (${start.toFormat(LOCAL_FORMAT)}); got ${deadline.toFormat(LOCAL_FORMAT)}`);
  }

  const hasPlace = typeof raw.place === 'string' && raw.place.trim() !== '';
  if (!hasPlace && raw.onlineUrl === undefined) report(['place'], 'give a place, an online link (onlineUrl), or both');

  const numbers = new Map<unknown, number>();
  asList(raw.agenda).forEach((item, i) => {
    const number = asRecord(item).number;
    if (number === undefined) return;
    const first = numbers.get(number);
    if (first !== undefined) report(['agenda', i, 'number'], `item ${showValue(number)} is listed twice (first as agenda[${first}])`);
    else numbers.set(number, i);
  });

  const audience = asRecord(raw.audience);
  if (raw.audience !== undefined && ['roles', 'institutions', 'commitments', 'people'].every((list) => asList(audience[list]).length === 0)) {
    report(['audience'], 'must name who is invited: roles, institutions, commitments or people');
  }
  if (asList(audience.commitments).length > 0 && raw.plan === undefined) {
    report(['audience', 'commitments'], 'commitments are numbers of a plan: name it with plan (such as plan: lv-nap-5)');
  }
  return times;
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];

/**
 * Checks a meeting file. `source` is the YAML text, or the same fields as an object (a chat flow's
 * answers; its problems then have no line). `defaultTimeZone` is the meeting's zone when the file
 * names none (the TZ_DEFAULT setting).
 */
export function checkMeetingFile(source: string | Raw, options: { defaultTimeZone?: string } = {}): MeetingFileCheck {
  const counter = new LineCounter();
  const doc = typeof source === 'string' ? parseDocument(source, { lineCounter: counter, prettyErrors: false }) : new Document(source);
  const problemAt = (path: Path, message: string): ImportProblem => ({ line: lineOf(doc, counter, path), field: fieldName(path), message });
  const empty: MeetingReferences = { institutions: [], commitments: [], people: [] };

  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => ({
      line: error.linePos?.[0].line ?? counter.linePos(error.pos[0]).line,
      field: '(YAML syntax)',
      message: error.message.split('\n')[0] ?? error.message,
    }));
    return { problems, references: empty, problemAt };
  }
  const raw: unknown = typeof source === 'string' ? doc.toJS() : source;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { problems: [{ line: 1, field: '(file)', message: 'must be a YAML mapping with key, kind, title, start, end, …' }], references: empty, problemAt };
  }

  const problems: ImportProblem[] = [];
  const report = (path: Path, message: string) => problems.push(problemAt(path, message));
  const parsed = meetingFileSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) report([...path, key], 'is not a field of the meeting file (check the spelling)');
      } else {
        report(path, issueMessage(issue));
      }
    }
  }
  const zone = parsed.success && parsed.data.timeZone ? parsed.data.timeZone : (options.defaultTimeZone ?? FORUM_TIME_ZONE);
  const times = crossCheck(raw as Raw, zone, report);
  const references = collectReferences(raw as Raw);

  const start = times.get('start');
  const end = times.get('end');
  if (problems.length > 0 || !parsed.success || !start || !end) return { problems: sortProblems(problems), references, problemAt };
  const file = parsed.data;
  const meeting: MeetingFile = {
    key: file.key,
    planKey: file.plan,
    kind: file.kind,
    title: file.title,
    timeZone: zone,
    startsAt: start.toJSDate(),
    endsAt: end.toJSDate(),
    place: file.place,
    onlineUrl: file.onlineUrl ?? '',
    registrationDeadline: times.get('registrationDeadline')?.toJSDate(),
    capacity: file.capacity,
    agenda: [...file.agenda].sort((a, b) => a.number - b.number),
    materials: file.materials,
    audience: {
      roles: unique(file.audience.roles),
      institutions: unique(file.audience.institutions),
      commitments: unique(file.audience.commitments),
      people: unique(file.audience.people),
    },
    organizer: file.organizer,
  };
  return { meeting, problems: [], references, problemAt };
}
