import type { DateTime } from 'luxon';
import type { ContactRole, Language } from '../../models/index.js';
import { t } from '../../i18n/index.js';
import { LOCAL_FORMAT, MAX_AGENDA_ITEMS, MAX_AGENDA_TITLE, MAX_TITLE, isWebUrl, localTime } from './meeting-file.js';

/**
 * The answers of the meeting authoring flow, one checker per question, in the coordinator's
 * language. The conversation and the form use the same checkers, so both refuse the same input
 * with the same words; saveMeeting checks the whole meeting again before anything is written.
 * Times are kept as the local text `YYYY-MM-DD HH:MM` in the meeting's zone, as the file has them.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = <T>(message: string): Checked<T> => ({ ok: false, message });

export interface AgendaLine {
  title: string;
  presenter: string;
}

export function checkTitle(lang: Language, text: string): Checked<string> {
  const title = text.trim();
  return title.length === 0 || title.length > MAX_TITLE ? fail(t(lang, 'meeting_authoring.error.title', { max: MAX_TITLE })) : ok(title);
}

function dateTime(lang: Language, text: string, zone: string): Checked<DateTime> {
  const value = text.trim();
  const local = localTime(value, zone);
  return local.ok ? ok(local.at) : fail(t(lang, 'meeting_authoring.error.date_time', { value }));
}

/** A start nobody can come to (already past) is refused at once, not at the end. */
export function checkStart(lang: Language, text: string, zone: string, now: DateTime): Checked<string> {
  const at = dateTime(lang, text, zone);
  if (!at.ok) return at;
  if (at.value <= now) return fail(t(lang, 'meeting_authoring.error.past', { value: at.value.toFormat(LOCAL_FORMAT) }));
  return ok(at.value.toFormat(LOCAL_FORMAT));
}

/** `HH:MM` is a time on the start's day; a meeting into the next day gives the date too. */
export function checkEnd(lang: Language, text: string, start: string, zone: string): Checked<string> {
  const value = text.trim();
  const full = /^\d{1,2}:\d{2}$/.test(value) ? `${start.slice(0, 10)} ${value.padStart(5, '0')}` : value;
  if (!/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}$/.test(full)) return fail(t(lang, 'meeting_authoring.error.end_format', { value }));
  const end = dateTime(lang, full, zone);
  if (!end.ok) return end;
  const begins = localTime(start, zone);
  if (begins.ok && end.value <= begins.at) {
    return fail(t(lang, 'meeting_authoring.error.end_before_start', { start, end: end.value.toFormat(LOCAL_FORMAT) }));
  }
  return ok(end.value.toFormat(LOCAL_FORMAT));
}

/** Lines that are web addresses are the online link; the rest is the place. */
export function checkPlace(lang: Language, place: string, url = ''): Checked<{ place: string; onlineUrl: string }> {
  const lines = [...place.split('\n'), ...url.split('\n')].map((line) => line.trim()).filter((line) => line.length > 0);
  const links = lines.filter((line) => /^https?:/i.test(line));
  const words = lines.filter((line) => !/^https?:/i.test(line));
  const bad = links.find((link) => !isWebUrl(link));
  if (bad !== undefined) return fail(t(lang, 'meeting_authoring.error.url', { value: bad }));
  if (lines.length === 0) return fail(t(lang, 'meeting_authoring.error.place'));
  const placeText = words.join(', ');
  if (placeText.length > MAX_TITLE) return fail(t(lang, 'meeting_authoring.error.title', { max: MAX_TITLE }));
  return ok({ place: placeText, onlineUrl: links[0] ?? '' });
}

/** Before the start and still ahead: after either, nobody could register. */
export function checkDeadline(lang: Language, text: string, start: string, zone: string, now: DateTime): Checked<string> {
  const at = dateTime(lang, text, zone);
  if (!at.ok) return at;
  const deadline = at.value.toFormat(LOCAL_FORMAT);
  if (at.value <= now) return fail(t(lang, 'meeting_authoring.error.past', { value: deadline }));
  const begins = localTime(start, zone);
  if (begins.ok && at.value >= begins.at) return fail(t(lang, 'meeting_authoring.error.deadline_after_start', { start, deadline }));
  return ok(deadline);
}

/** Codes typed in any case, separated by commas or spaces; every unknown one is named. */
export function checkInstitutions(lang: Language, text: string, known: readonly string[]): Checked<string[]> {
  const byUpper = new Map(known.map((code) => [code.toUpperCase(), code]));
  const typed = text.split(/[\s,;]+/).map((code) => code.trim()).filter((code) => code.length > 0);
  if (typed.length === 0) return fail(t(lang, 'meeting_authoring.error.audience'));
  const unknown = typed.filter((code) => !byUpper.has(code.toUpperCase()));
  if (unknown.length > 0) return fail(t(lang, 'meeting_authoring.error.institutions', { codes: unknown.join(', ') }));
  return ok([...new Set(typed.map((code) => byUpper.get(code.toUpperCase()) ?? code))]);
}

/** "title — presenter", one a line; a hyphen between spaces counts as the dash too. */
export function checkAgenda(lang: Language, text: string): Checked<AgendaLine[]> {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line.length > 0);
  if (lines.length > MAX_AGENDA_ITEMS) return fail(t(lang, 'meeting_authoring.error.agenda_items', { max: MAX_AGENDA_ITEMS }));
  const items: AgendaLine[] = [];
  const problems: string[] = [];
  lines.forEach((line, i) => {
    const [title = '', ...rest] = line.split(/\s+[—–-]\s+|\s*—\s*/);
    const item = { title: title.trim(), presenter: rest.join(' — ').trim() };
    if (item.title.length === 0 || item.title.length > MAX_AGENDA_TITLE || item.presenter.length > MAX_TITLE) {
      problems.push(t(lang, 'meeting_authoring.error.agenda', { line: i + 1, max: MAX_AGENDA_TITLE }));
    }
    items.push(item);
  });
  return problems.length > 0 ? fail(problems.join('\n')) : ok(items);
}

/** The audience buttons: everyone, then each role. */
export const AUDIENCE_GROUPS = ['everyone', 'forum_member', 'partner', 'contact_person', 'coordinator'] as const;
export type AudienceGroup = (typeof AUDIENCE_GROUPS)[number];

export function groupRoles(group: AudienceGroup): ContactRole[] {
  return group === 'everyone' ? ['coordinator', 'contact_person', 'forum_member', 'partner'] : [group];
}
