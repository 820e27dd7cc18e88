import { createHash } from 'node:crypto';

/**
 * Every idempotency key a producer writes a Delivery under. The key is the outbox's only memory of
 * what was sent (a unique index; the job id dies with the job), so a key's format is part of the
 * stored data: changing one here re-sends everything produced under the old format. Producers call
 * these builders and never build a key themselves.
 *
 * Parts are joined with `:`; a part that contains `:` or is empty would make two different
 * deliveries share a key (or a reminder key unreadable), so that is refused as a programming error.
 */

function join(kind: string, parts: readonly string[]): string {
  for (const part of parts) {
    if (part === '' || part.includes(':')) throw new RangeError(`delivery key part '${part}' of ${kind} is empty or contains ':'`);
  }
  return [kind, ...parts].join(':');
}

export interface ReminderKeyParts {
  roundId: string;
  /** The round's deadline as an ISO date: a moved deadline starts a fresh schedule. */
  deadlineKey: string;
  contactId: string;
  /** `d-7`, `overdue-1`, `snooze-2026-02-13`, … (reminder-policy.ts). */
  stepId: string;
  channel: string;
  /**
   * 1 for the step's message; 2, 3, … for a measure that became due at a step already sent (assigned
   * to the person later that day) or for a list too long for one message. The first is `n`+1 where `n`
   * messages of the step exist, so two schedulers computing the same state write the same key.
   */
  part?: number;
}

/** A reminder key read back. Which measures it covered is on the Delivery (`measures`), except for `measureId`. */
export interface ParsedReminderKey extends Required<Omit<ReminderKeyParts, 'part'>> {
  part: number;
  /** Only in keys written before reminders were combined, one per measure: the measure it was about. */
  measureId?: string;
}

const OBJECT_ID = /^[0-9a-f]{24}$/;

function partSuffix(kind: string, part: number | undefined): string[] {
  if (part === undefined || part === 1) return [];
  if (!Number.isInteger(part) || part < 1) throw new RangeError(`delivery key part number ${part} of ${kind} must be a positive integer`);
  return [String(part)];
}

/** The part number of a key's last segment, if it is one (a channel never is). */
function trailingPart(parts: string[], length: number): number | null {
  if (parts.length === length) return 1;
  const last = parts[length];
  return parts.length === length + 1 && last && /^[1-9]\d*$/.test(last) ? Number(last) : null;
}

/**
 * `reminder:<round>:<deadline>:<contact>:<step>:<channel>`, then `…:<channel>:2` and so on: one
 * message per person, step and channel listing every measure due at that step. The round leads, so
 * one anchored prefix query (a range scan on the unique key index) finds everything sent for a round.
 */
export function reminderKey(p: ReminderKeyParts): string {
  return join('reminder', [p.roundId, p.deadlineKey, p.contactId, p.stepId, p.channel, ...partSuffix('reminder', p.part)]);
}

export function roundReminderPrefix(roundId: string): string {
  return `${join('reminder', [roundId])}:`;
}

/**
 * The parts of a reminder key, or null for any other key. Keys written before reminders were
 * combined (`reminder:<round>:<deadline>:<measure>:<contact>:<step>:<channel>`, one per measure)
 * are read too, with their `measureId`, so a deploy in the middle of a round repeats no step: they
 * are told apart by the fifth segment, a contact id there and a step id in the current format.
 */
export function parseReminderKey(key: string): ParsedReminderKey | null {
  const parts = key.split(':');
  if (parts[0] !== 'reminder' || parts.some((part) => part === '')) return null;
  if (parts.length === 7 && OBJECT_ID.test(parts[4] as string)) {
    const [, roundId, deadlineKey, measureId, contactId, stepId, channel] = parts as [string, string, string, string, string, string, string];
    return { roundId, deadlineKey, contactId, stepId, channel, part: 1, measureId };
  }
  const part = trailingPart(parts, 6);
  if (part === null) return null;
  const [, roundId, deadlineKey, contactId, stepId, channel] = parts as [string, string, string, string, string, string];
  return { roundId, deadlineKey, contactId, stepId, channel, part };
}

/** A `$regex` that matches the keys starting with `prefix` and, being anchored, can use the key index. */
export function keyPrefixPattern(prefix: string): string {
  return `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
}

export interface OverdueNoticeKeyParts {
  roundId: string;
  deadlineKey: string;
  coordinatorId: string;
  /** The policy's step that tells the coordinators (`overdue-2`). */
  stepId: string;
  channel: string;
  /** As for reminders: 2, 3, … for measures that reached the step after the first notice went. */
  part?: number;
}

/**
 * `overdue-notice:<round>:<deadline>:<coordinator>:<step>:<channel>` (then `…:2`): one message per
 * coordinator listing the measures that reached the step; which ones is on the Delivery
 * (`measures`), so a measure is told once whoever of its owners got there first. Per deadline, so
 * an extended deadline may tell them again.
 */
export function overdueNoticeKey(p: OverdueNoticeKeyParts): string {
  return join('overdue-notice', [p.roundId, p.deadlineKey, p.coordinatorId, p.stepId, p.channel, ...partSuffix('overdue-notice', p.part)]);
}

export function roundOverdueNoticePrefix(roundId: string): string {
  return `${join('overdue-notice', [roundId])}:`;
}

export interface ParsedOverdueNoticeKey {
  roundId: string;
  deadlineKey: string;
  coordinatorId: string;
  /** Absent in keys from before the notices were combined. */
  stepId?: string;
  channel: string;
  part: number;
  /** Only in keys from before the notices were combined: the one measure told. */
  measureId?: string;
}

/**
 * An overdue notice's key read back, or null. Keys from before the notices were combined
 * (`overdue-notice:<round>:<deadline>:<measure>:<coordinator>:<channel>`) carry their measure and
 * have an id where the current format has the step.
 */
export function parseOverdueNoticeKey(key: string): ParsedOverdueNoticeKey | null {
  const parts = key.split(':');
  if (parts[0] !== 'overdue-notice' || parts.some((part) => part === '')) return null;
  if (parts.length === 6 && OBJECT_ID.test(parts[4] as string)) {
    const [, roundId, deadlineKey, measureId, coordinatorId, channel] = parts as [string, string, string, string, string, string];
    return { roundId, deadlineKey, coordinatorId, channel, part: 1, measureId };
  }
  const part = trailingPart(parts, 6);
  if (part === null) return null;
  const [, roundId, deadlineKey, coordinatorId, stepId, channel] = parts as [string, string, string, string, string, string];
  return { roundId, deadlineKey, coordinatorId, stepId, channel, part };
}

/** A coordinator told that a person said "not my measure": a second tap does not tell them twice. */
export function declinedNoticeKey(p: { roundId: string; measureId: string; contactId: string; coordinatorId: string; channel: string }): string {
  return join('declined', [p.roundId, p.measureId, p.contactId, p.coordinatorId, p.channel]);
}

/** A meeting's invitation to one person on one channel: sent once, whatever changes later. */
export function meetingInvitationKey(p: { meetingId: string; contactId: string; channel: string }): string {
  return join('meeting-invite', [p.meetingId, p.contactId, p.channel]);
}

/** One change notice per change the people were told about (the meeting's sequence after it). */
export function meetingChangeKey(p: { meetingId: string; sequence: number; contactId: string; channel: string }): string {
  return join('meeting-change', [p.meetingId, String(p.sequence), p.contactId, p.channel]);
}

export function meetingCancelKey(p: { meetingId: string; contactId: string; channel: string }): string {
  return join('meeting-cancel', [p.meetingId, p.contactId, p.channel]);
}

/**
 * A meeting reminder (`rsvp-3wd`, `rsvp-deadline`, `day-before`, `hour-before`). `anchor` is the
 * instant the step is counted from (the registration deadline or the start), in epoch
 * milliseconds: a moved meeting starts a fresh schedule, a changed place does not.
 */
export function meetingReminderKey(p: { meetingId: string; step: string; anchor: Date; contactId: string; channel: string }): string {
  return join('meeting-reminder', [p.meetingId, p.step, String(p.anchor.getTime()), p.contactId, p.channel]);
}

/** The minutes and decisions, once per person and channel. */
export function meetingMinutesKey(p: { meetingId: string; contactId: string; channel: string }): string {
  return join('meeting-minutes', [p.meetingId, p.contactId, p.channel]);
}

/** "A place came free, you are on the list now", once per move up. */
export function meetingWaitlistKey(p: { meetingId: string; contactId: string; channel: string; at: Date }): string {
  return join('meeting-waitlist', [p.meetingId, p.contactId, String(p.at.getTime()), p.channel]);
}

/** One broadcast to one person on one channel: `broadcast:<id>:<person>:<channel>`. */
export function broadcastKey(p: { broadcastId: string; contactId: string; channel: string }): string {
  return join('broadcast', [p.broadcastId, p.contactId, p.channel]);
}

/** The broadcast a delivery key belongs to, or null for any other key. */
export function parseBroadcastKey(key: string): { broadcastId: string } | null {
  const parts = key.split(':');
  return parts.length === 4 && parts[0] === 'broadcast' && parts[1] ? { broadcastId: parts[1] } : null;
}

/** Every delivery of one broadcast, for an anchored prefix query. */
export function broadcastPrefix(broadcastId: string): string {
  return `${join('broadcast', [broadcastId])}:`;
}

/**
 * The author's live progress message (`window` 0) and its edits, one per window of a few
 * seconds since sending started: two monitors in the same window write the same key, so the
 * message is edited at most once per window.
 */
export function broadcastProgressKey(p: { broadcastId: string; window: number }): string {
  return join('broadcast-progress', [p.broadcastId, String(p.window)]);
}

/** The final report; `retry` counts "retry the failed ones", each of which ends in a report of its own. */
export function broadcastReportKey(p: { broadcastId: string; retry: number }): string {
  return join('broadcast-report', [p.broadcastId, String(p.retry)]);
}

/**
 * A person's digest for one period (`2026-W49` weekly, `2026-12-01` daily): one per period,
 * whatever the channel, however many schedulers, however late the tick.
 */
export function digestKey(p: { contactId: string; period: string }): string {
  return join('digest', [p.contactId, p.period]);
}

/**
 * A direct answer handed to the outbox because the platform would not take it then (chat/
 * reply-handoff.ts): the inbound event's dedupe key (which may hold `:`) as a digest, and the
 * reply's place among the event's replies, so the same event hands the same reply over once.
 */
export function replyKey(p: { eventKey: string; index: number }): string {
  return join('reply', [createHash('sha256').update(p.eventKey).digest('base64url').slice(0, 24), String(p.index)]);
}

/** Coordinators told that a person had their data removed (/forget), once each. */
export function forgottenNoticeKey(p: { contactId: string; coordinatorId: string; channel: string }): string {
  return join('forgotten', [p.contactId, p.coordinatorId, p.channel]);
}
