import { DateTime, IANAZone } from 'luxon';
import { addWorkingDays, isWorkingDay, nextWorkingDay, previousWorkingDay } from './working-days.js';

/**
 * When a contact person is reminded of a report for one measure. Everything here is a pure
 * function of the round's deadline, its policy, the recipient's zone and an injected `now`: the
 * scheduler asks "what is due now?" on every tick instead of remembering what changed, so a missed
 * tick, a restart or two schedulers at once cannot lose or double a reminder (the delivery key,
 * built from the step id and `deadlineKey`, is the last guard).
 */

/** Same fields as the `policy` subdocument of a ReportingRound (src/models/reporting-round.ts). */
export interface ReminderPolicy {
  /** Calendar days before the deadline day; moved back to the previous working day if needed. */
  daysBefore: readonly number[];
  onDeadlineMorning: boolean;
  overdueEveryWorkingDays: number;
  /** The n-th overdue reminder also tells the coordinator; 0 turns that off. */
  tellCoordinatorAfterOverdue: number;
  /** Hours in the recipient's zone: reminders go out from start (inclusive) to end (exclusive). */
  officeHoursStart: number;
  officeHoursEnd: number;
}

export const DEFAULT_REMINDER_POLICY: ReminderPolicy = Object.freeze({
  daysBefore: Object.freeze([14, 7, 2]),
  onDeadlineMorning: true,
  overdueEveryWorkingDays: 3,
  tellCoordinatorAfterOverdue: 2,
  officeHoursStart: 9,
  officeHoursEnd: 17,
});

/** `d-14`, `d-7`, `d-2`, `d-0`, `overdue-1`, `overdue-2`, … or `snooze-2026-01-27`. */
export type ReminderStepId = string;

export interface ReminderStep {
  id: ReminderStepId;
  kind: 'before' | 'deadline' | 'overdue' | 'snooze';
  /** Earliest moment it may be sent, in the recipient's zone. */
  at: DateTime;
  notifyCoordinator: boolean;
}

function fail(lv: string, en: string): never {
  throw new Error(`${lv} / ${en}`);
}

function checkZone(zone: string): void {
  if (!IANAZone.isValidZone(zone)) fail(`Nezināma laika zona "${zone}"`, `Unknown time zone "${zone}"`);
}

function checkPolicy(policy: ReminderPolicy): void {
  const { daysBefore, overdueEveryWorkingDays: every, officeHoursStart: start, officeHoursEnd: end } = policy;
  if (!daysBefore.every((d) => Number.isInteger(d) && d > 0)) {
    fail('Dienām pirms termiņa jābūt pozitīviem veseliem skaitļiem', 'daysBefore must be positive integers');
  }
  if (!Number.isInteger(every) || every < 1) {
    fail('Atgādinājumu biežumam pēc termiņa jābūt vismaz 1 darba dienai', 'overdueEveryWorkingDays must be at least 1');
  }
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > 24 || start >= end) {
    fail('Darba laikam jābūt 0 ≤ sākums < beigas ≤ 24', 'office hours must satisfy 0 <= start < end <= 24');
  }
}

/** The end of `isoDate` (YYYY-MM-DD) in the plan's zone: "due 1 February" means all of that day. */
export function deadlineFromDate(isoDate: string, planZone: string): DateTime {
  checkZone(planZone);
  const day = /^\d{4}-\d{2}-\d{2}$/.test(isoDate) ? DateTime.fromISO(isoDate, { zone: planZone }) : null;
  if (!day?.isValid) fail(`Nederīgs termiņa datums "${isoDate}" (vajag GGGG-MM-DD)`, `Invalid deadline date "${isoDate}" (expected YYYY-MM-DD)`);
  return day.endOf('day');
}

/**
 * Step ids are relative to the deadline, so delivery keys must also carry this: moving the
 * deadline then yields fresh keys and the reminders start over for the new date. The schedule
 * depends only on the deadline's calendar day, which is exactly what the key holds.
 */
export function deadlineKey(deadline: DateTime): string {
  if (!deadline.isValid) fail('Nederīgs termiņš', 'Invalid deadline');
  return deadline.toISODate() as string;
}

export function isWithinOfficeHours(now: DateTime, zone: string, policy: ReminderPolicy): boolean {
  checkZone(zone);
  const local = now.setZone(zone);
  return isWorkingDay(local) && local.hour >= policy.officeHoursStart && local.hour < policy.officeHoursEnd;
}

function officeStart(day: DateTime, policy: ReminderPolicy): DateTime {
  return day.startOf('day').set({ hour: policy.officeHoursStart });
}

/** "Remind me tomorrow": the next working day's office-hours start in the recipient's zone. */
export function snoozeUntil(now: DateTime, zone: string, policy: ReminderPolicy): DateTime {
  checkZone(zone);
  return officeStart(nextWorkingDay(now.setZone(zone)), policy);
}

/** `t` itself if inside office hours, otherwise the next office-hours start. */
function nextOfficeMoment(t: DateTime, policy: ReminderPolicy): DateTime {
  if (isWorkingDay(t) && t.hour < policy.officeHoursEnd) {
    const start = officeStart(t, policy);
    return t < start ? start : t;
  }
  return officeStart(nextWorkingDay(t), policy);
}

/** The deadline's calendar day (taken in the deadline's own zone) at midnight in `zone`. */
function deadlineDayIn(deadline: DateTime, zone: string): DateTime {
  return DateTime.fromISO(deadlineKey(deadline), { zone });
}

function onOrBeforeWorkingDay(day: DateTime): DateTime {
  return isWorkingDay(day) ? day : previousWorkingDay(day);
}

/** d-N and d-0 steps; when two land on the same day only the one closer to the deadline stays. */
function leadSteps(deadlineDay: DateTime, policy: ReminderPolicy): ReminderStep[] {
  const leads = [...new Set(policy.daysBefore)].sort((a, b) => b - a);
  if (policy.onDeadlineMorning) leads.push(0);
  const steps = leads.map((n): ReminderStep => ({
    id: `d-${n}`,
    kind: n === 0 ? 'deadline' : 'before',
    at: officeStart(onOrBeforeWorkingDay(deadlineDay.minus({ days: n })), policy),
    notifyCoordinator: false,
  }));
  // Moving back to a working day keeps the order, so equal days are neighbours.
  return steps.filter((step, i) => !steps[i + 1]?.at.equals(step.at));
}

export function reminderSchedule(args: {
  deadline: DateTime;
  policy: ReminderPolicy;
  zone: string;
  until: DateTime;
}): ReminderStep[] {
  const { deadline, policy, zone, until } = args;
  checkZone(zone);
  checkPolicy(policy);
  const deadlineDay = deadlineDayIn(deadline, zone);
  const steps = leadSteps(deadlineDay, policy).filter((s) => s.at <= until);
  for (let n = 1; ; n++) {
    const at = officeStart(addWorkingDays(deadlineDay, n * policy.overdueEveryWorkingDays), policy);
    if (at > until) break;
    const notifyCoordinator = n === policy.tellCoordinatorAfterOverdue;
    steps.push({ id: `overdue-${n}`, kind: 'overdue', at, notifyCoordinator });
  }
  return steps;
}

function snoozeStep(snoozedUntil: DateTime, zone: string, policy: ReminderPolicy): ReminderStep {
  const at = nextOfficeMoment(snoozedUntil.setZone(zone), policy);
  return { id: `snooze-${at.toISODate()}`, kind: 'snooze', at, notifyCoordinator: false };
}

/**
 * Whether the coordinator has already been told: some step sent at or after the day of the
 * overdue step that tells them. Snooze ids carry their day, so they can be compared too.
 */
function coordinatorTold(tellAt: DateTime, tellN: number, sent: ReadonlySet<string>): boolean {
  const tellDay = tellAt.toISODate() as string;
  for (const id of sent) {
    const overdue = /^overdue-(\d+)$/.exec(id);
    if (overdue && Number(overdue[1]) >= tellN) return true;
    const snooze = /^snooze-(\d{4}-\d{2}-\d{2})$/.exec(id);
    if (snooze && (snooze[1] as string) >= tellDay) return true;
  }
  return false;
}

/** The step that tells the coordinators (`overdue-2`), or null when the policy tells nobody. */
export function coordinatorStepId(policy: ReminderPolicy): ReminderStepId | null {
  return policy.tellCoordinatorAfterOverdue > 0 ? `overdue-${policy.tellCoordinatorAfterOverdue}` : null;
}

/**
 * Whether the person has already been reminded at or after the step that tells the coordinator.
 * The coordinators' notice is recorded apart from the reminder, so the scheduler asks this too:
 * a notice lost between the two (a crash, or two schedulers that saw different measures) is then
 * made up on the next tick instead of waiting for a step that never comes.
 */
export function coordinatorStepPassed(args: {
  deadline: DateTime;
  policy: ReminderPolicy;
  zone: string;
  now: DateTime;
  sentStepIds: ReadonlySet<string>;
}): boolean {
  const { deadline, policy, zone, now, sentStepIds } = args;
  const tell = reminderSchedule({ deadline, policy, zone, until: now }).find((s) => s.notifyCoordinator);
  return tell !== undefined && coordinatorTold(tell.at, policy.tellCoordinatorAfterOverdue, sentStepIds);
}

/**
 * The one reminder to send now, or null. Only the latest step whose time has come counts; the
 * earlier ones are superseded, so a scheduler that was down for a week sends one message, not a
 * flurry. A snooze end is a step on the same timeline; a regular step at the very same moment wins.
 * If the step that tells the coordinator was superseded, the step sent instead tells them.
 */
export function dueReminder(args: {
  deadline: DateTime;
  policy: ReminderPolicy;
  zone: string;
  now: DateTime;
  reported: boolean;
  snoozedUntil?: DateTime | null;
  sentStepIds: ReadonlySet<string>;
}): ReminderStep | null {
  const { deadline, policy, zone, now, reported, snoozedUntil, sentStepIds } = args;
  if (reported) return null;
  if (snoozedUntil && now < snoozedUntil) return null;
  if (!isWithinOfficeHours(now, zone, policy)) return null;

  const regular = reminderSchedule({ deadline, policy, zone, until: now });
  let latest = regular.at(-1) ?? null;
  if (snoozedUntil) {
    const snooze = snoozeStep(snoozedUntil, zone, policy);
    if (snooze.at <= now && (!latest || snooze.at > latest.at)) latest = snooze;
  }
  if (!latest || sentStepIds.has(latest.id)) return null;

  const tell = regular.find((s) => s.notifyCoordinator);
  if (tell && !latest.notifyCoordinator && latest.at >= tell.at) {
    const told = coordinatorTold(tell.at, policy.tellCoordinatorAfterOverdue, sentStepIds);
    return { ...latest, notifyCoordinator: !told };
  }
  return latest;
}
