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
  measureId: string;
  contactId: string;
  /** `d-7`, `overdue-1`, `snooze-2026-02-13`, … (reminder-policy.ts). */
  stepId: string;
  channel: string;
}

/**
 * `reminder:<round>:<deadline>:<measure>:<contact>:<step>:<channel>`. The round leads, so one
 * anchored prefix query (a range scan on the unique key index) finds everything sent for a round.
 */
export function reminderKey(p: ReminderKeyParts): string {
  return join('reminder', [p.roundId, p.deadlineKey, p.measureId, p.contactId, p.stepId, p.channel]);
}

export function roundReminderPrefix(roundId: string): string {
  return `${join('reminder', [roundId])}:`;
}

/** The parts of a reminder key, or null for any other key. */
export function parseReminderKey(key: string): ReminderKeyParts | null {
  const parts = key.split(':');
  const [kind, roundId, deadlineKey, measureId, contactId, stepId, channel] = parts;
  if (kind !== 'reminder' || parts.length !== 7) return null;
  if (!roundId || !deadlineKey || !measureId || !contactId || !stepId || !channel) return null;
  return { roundId, deadlineKey, measureId, contactId, stepId, channel };
}

/** A `$regex` that matches the keys starting with `prefix` and, being anchored, can use the key index. */
export function keyPrefixPattern(prefix: string): string {
  return `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
}

/**
 * A coordinator told that a measure is overdue. Per measure, not per owner: two owners overdue
 * together tell the coordinator once; per deadline, so an extended deadline may tell them again.
 */
export function overdueNoticeKey(p: { roundId: string; deadlineKey: string; measureId: string; coordinatorId: string; channel: string }): string {
  return join('overdue-notice', [p.roundId, p.deadlineKey, p.measureId, p.coordinatorId, p.channel]);
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
