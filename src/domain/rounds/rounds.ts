import { DateTime } from 'luxon';
import { Types } from 'mongoose';
import {
  AuditEntryModel,
  DeliveryModel,
  PlanModel,
  ReportingRoundModel,
  type ReportingRoundDoc,
} from '../../models/index.js';
import { DEFAULT_REMINDER_POLICY, deadlineFromDate, reminderSchedule, type ReminderPolicy } from '../reminders/reminder-policy.js';
import { isDuplicateKey } from '../../models/duplicate-key.js';
import { keyPrefixPattern, roundReminderPrefix } from '../delivery-keys.js';

/**
 * Reporting rounds: a coordinator opens one per plan with a deadline, may move the deadline, and
 * closes it. At most one round per plan is open: the unique index on {plan, openGuard} refuses a
 * second insert with openGuard 'open' (no transactions or partial indexes needed, so it holds on
 * FerretDB as on MongoDB). Every change leaves an audit entry.
 */

export type Bilingual = { lv: string; en: string };

export const ROUND_ERROR_CODES = [
  'unknown_plan',
  'unknown_round',
  'invalid_key',
  'invalid_title',
  'invalid_date',
  'invalid_policy',
  'deadline_past',
  'same_deadline',
  'round_exists',
  'another_round_open',
  'round_closed',
] as const;
export type RoundErrorCode = (typeof ROUND_ERROR_CODES)[number];

export interface RoundError {
  code: RoundErrorCode;
  message: Bilingual;
}

export type RoundResult = { ok: true; round: ReportingRoundDoc } | { ok: false; error: RoundError };

function failure(code: RoundErrorCode, lv: string, en: string): { ok: false; error: RoundError } {
  return { ok: false, error: { code, message: { lv, en } } };
}

const ROUND_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Which round a command means: its id, or the plan's key and the round's key. */
export type RoundRef = { roundId: string | Types.ObjectId } | { planKey: string; key: string };

export async function findRound(ref: RoundRef): Promise<ReportingRoundDoc | null> {
  if ('roundId' in ref) {
    return Types.ObjectId.isValid(String(ref.roundId)) ? ReportingRoundModel.findById(ref.roundId) : null;
  }
  const plan = await PlanModel.findOne({ key: ref.planKey }, { _id: 1 }).lean();
  return plan ? ReportingRoundModel.findOne({ plan: plan._id, key: ref.key }) : null;
}

function describeRef(ref: RoundRef): string {
  return 'roundId' in ref ? String(ref.roundId) : `${ref.planKey}/${ref.key}`;
}

function unknownRound(ref: RoundRef) {
  const name = describeRef(ref);
  return failure('unknown_round', `Ziņošanas kārta „${name}” nav atrasta.`, `Reporting round "${name}" not found.`);
}

/** A deadline for a date, or the reason it cannot be one (bad shape, not a date, already past). */
function parseDeadline(
  isoDate: string,
  zone: string,
  now: Date,
): { ok: true; deadline: DateTime } | { ok: false; error: RoundError } {
  const day = ISO_DATE.test(isoDate) ? DateTime.fromISO(isoDate, { zone }) : null;
  if (!day?.isValid) {
    return failure(
      'invalid_date',
      `Nederīgs termiņa datums „${isoDate}”: vajag GGGG-MM-DD, piemēram, 2026-02-01.`,
      `Invalid deadline date "${isoDate}": expected YYYY-MM-DD, e.g. 2026-02-01.`,
    );
  }
  const deadline = deadlineFromDate(isoDate, zone);
  if (deadline.toMillis() <= now.getTime()) {
    return failure(
      'deadline_past',
      `Termiņš ${isoDate} jau ir pagājis; norādiet datumu nākotnē.`,
      `The deadline ${isoDate} is already past; give a future date.`,
    );
  }
  return { ok: true, deadline };
}

/** The policy to store: the defaults with the given fields over them, checked by the policy code. */
function resolvePolicy(given: Partial<ReminderPolicy> | undefined): ReminderPolicy | RoundError {
  const policy = { ...DEFAULT_REMINDER_POLICY, ...given, daysBefore: [...(given?.daysBefore ?? DEFAULT_REMINDER_POLICY.daysBefore)] };
  try {
    const probe = DateTime.fromISO('2026-02-02T12:00:00', { zone: 'Europe/Riga' });
    reminderSchedule({ deadline: probe, policy, zone: 'Europe/Riga', until: probe });
  } catch (error) {
    const [lv = '', en = lv] = (error as Error).message.split(' / ');
    return { code: 'invalid_policy', message: { lv: `Nederīga atgādinājumu kārtība: ${lv}.`, en: `Invalid reminder policy: ${en}.` } };
  }
  return policy;
}

/** The stored policy as the plain object the policy functions take. */
export function roundPolicy(round: Pick<ReportingRoundDoc, 'policy'>): ReminderPolicy {
  const stored = round.policy ?? {};
  return {
    daysBefore: [...(stored.daysBefore ?? DEFAULT_REMINDER_POLICY.daysBefore)],
    onDeadlineMorning: stored.onDeadlineMorning ?? DEFAULT_REMINDER_POLICY.onDeadlineMorning,
    overdueEveryWorkingDays: stored.overdueEveryWorkingDays ?? DEFAULT_REMINDER_POLICY.overdueEveryWorkingDays,
    tellCoordinatorAfterOverdue: stored.tellCoordinatorAfterOverdue ?? DEFAULT_REMINDER_POLICY.tellCoordinatorAfterOverdue,
    officeHoursStart: stored.officeHoursStart ?? DEFAULT_REMINDER_POLICY.officeHoursStart,
    officeHoursEnd: stored.officeHoursEnd ?? DEFAULT_REMINDER_POLICY.officeHoursEnd,
  };
}

/** The round's deadline in its own zone, as the policy functions want it. */
export function roundDeadline(round: Pick<ReportingRoundDoc, 'deadline' | 'timeZone'>): DateTime {
  return DateTime.fromJSDate(round.deadline, { zone: round.timeZone });
}

function actorContact(actor: string): Types.ObjectId | undefined {
  return /^[0-9a-f]{24}$/.test(actor) ? new Types.ObjectId(actor) : undefined;
}

async function audit(actor: string, action: string, round: ReportingRoundDoc, details: Record<string, unknown>, at: Date) {
  await AuditEntryModel.create({ at, actor, action, subject: `round:${String(round._id)}`, details });
}

export interface OpenRoundInput {
  planKey: string;
  key: string;
  title: Bilingual;
  deadlineDate: string;
  policy?: Partial<ReminderPolicy>;
  /** `cli`, `system`, or a contact id. */
  actor: string;
  now?: Date;
}

export async function openRound(input: OpenRoundInput): Promise<RoundResult> {
  const now = input.now ?? new Date();
  const plan = await PlanModel.findOne({ key: input.planKey });
  if (!plan) {
    return failure('unknown_plan', `Rīcības plāns „${input.planKey}” nav atrasts.`, `Action plan "${input.planKey}" not found.`);
  }
  if (!ROUND_KEY.test(input.key)) {
    return failure(
      'invalid_key',
      `Nederīga kārtas atslēga „${input.key}”: līdz 40 burtiem, cipariem, „-” vai „_”, piemēram, 2025.`,
      `Invalid round key "${input.key}": up to 40 letters, digits, "-" or "_", e.g. 2025.`,
    );
  }
  const title = { lv: input.title.lv.trim(), en: input.title.en.trim() };
  if (!title.lv) return failure('invalid_title', 'Kārtai vajag nosaukumu latviski.', 'The round needs a Latvian title.');
  const parsed = parseDeadline(input.deadlineDate, plan.timeZone, now);
  if (!parsed.ok) return parsed;
  const policy = resolvePolicy(input.policy);
  if ('code' in policy) return { ok: false, error: policy };

  const clash = await whyNotOpen(plan._id, input.key);
  if (clash) return clash;
  let round: ReportingRoundDoc;
  try {
    round = await ReportingRoundModel.create({
      plan: plan._id,
      key: input.key,
      title,
      deadline: parsed.deadline.toJSDate(),
      timeZone: plan.timeZone,
      state: 'open',
      openGuard: 'open',
      policy,
      openedBy: actorContact(input.actor),
    });
  } catch (error) {
    // Lost a race with another opener; the unique indexes decided, say which one.
    if (isDuplicateKey(error)) {
      const reason = await whyNotOpen(plan._id, input.key);
      if (reason) return reason;
    }
    throw error;
  }
  await audit(input.actor, 'round.open', round, { plan: plan.key, key: round.key, deadline: input.deadlineDate }, now);
  return { ok: true, round };
}

async function whyNotOpen(plan: Types.ObjectId, key: string) {
  if (await ReportingRoundModel.exists({ plan, key })) {
    return failure('round_exists', `Kārta ar atslēgu „${key}” šim plānam jau ir.`, `This plan already has a round with key "${key}".`);
  }
  const open = await ReportingRoundModel.findOne({ plan, openGuard: 'open' }, { key: 1 }).lean();
  if (open) {
    return failure(
      'another_round_open',
      `Šim plānam jau ir atvērta kārta „${open.key}”; vispirms slēdziet to.`,
      `This plan already has an open round "${open.key}"; close it first.`,
    );
  }
  return null;
}

/** Moves the deadline of an open round; reminders then follow the new date (new delivery keys). */
export async function extendRound(ref: RoundRef, newDate: string, actor: string, now: Date = new Date()): Promise<RoundResult> {
  const round = await findRound(ref);
  if (!round) return unknownRound(ref);
  if (round.state !== 'open') {
    return failure('round_closed', `Kārta „${round.key}” jau ir slēgta.`, `Round "${round.key}" is already closed.`);
  }
  const parsed = parseDeadline(newDate, round.timeZone, now);
  if (!parsed.ok) return parsed;
  const previous = roundDeadline(round).toISODate();
  if (previous === newDate) {
    return failure('same_deadline', `Kārtas termiņš jau ir ${newDate}.`, `The round's deadline is already ${newDate}.`);
  }
  round.deadline = parsed.deadline.toJSDate();
  await round.save();
  await audit(actor, 'round.extend', round, { from: previous, to: newDate }, now);
  return { ok: true, round };
}

/**
 * Closes the round: no more reports are accepted and the scheduler stops reminding. Reminders
 * already recorded but not sent are cancelled, so the outbox worker skips them.
 */
export async function closeRound(ref: RoundRef, actor: string, now: Date = new Date()): Promise<RoundResult> {
  const round = await findRound(ref);
  if (!round) return unknownRound(ref);
  if (round.state !== 'open') {
    return failure('round_closed', `Kārta „${round.key}” jau ir slēgta.`, `Round "${round.key}" is already closed.`);
  }
  round.state = 'closed';
  round.closedAt = now;
  round.openGuard = String(round._id);
  await round.save();
  const cancelled = await DeliveryModel.updateMany(
    { key: { $regex: keyPrefixPattern(roundReminderPrefix(String(round._id))) }, state: 'pending' },
    { $set: { state: 'cancelled' } },
  );
  await audit(actor, 'round.close', round, { cancelledReminders: cancelled.modifiedCount }, now);
  return { ok: true, round };
}

/** For the status conversation: the round a report may be saved in, or why not. */
export async function roundAcceptingReports(
  roundId: string | Types.ObjectId,
): Promise<{ ok: true; round: ReportingRoundDoc } | { ok: false; reason: 'unknown' | 'closed' }> {
  const round = Types.ObjectId.isValid(String(roundId)) ? await ReportingRoundModel.findById(roundId) : null;
  if (!round) return { ok: false, reason: 'unknown' };
  return round.state === 'open' ? { ok: true, round } : { ok: false, reason: 'closed' };
}
