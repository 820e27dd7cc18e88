import { DateTime } from 'luxon';
import { Types } from 'mongoose';
import {
  AuditEntryModel,
  ContactModel,
  MeasureModel,
  ReminderStateModel,
  ReportingRoundModel,
  StatusReportModel,
  type ContactDoc,
  type MeasureDoc,
  type ReportingRoundDoc,
} from '../../models/index.js';
import { t } from '../../i18n/index.js';
import { snoozeUntil } from './reminder-policy.js';
import { roundPolicy } from '../rounds/rounds.js';
import type { OutboundMessage } from '../outbound-message.js';
import { COORDINATORS, resolveAudience } from '../audiences.js';
import { declinedNoticeKey } from '../delivery-keys.js';
import { isDuplicateKey } from '../../models/duplicate-key.js';

/**
 * The two answers a person can give to a reminder besides reporting: "remind me tomorrow" and
 * "not my measure". Both are stored per round, measure and person (ReminderState); the scheduler
 * reads them on its next tick. A reminder lists all the person owes at that step, so "tomorrow"
 * snoozes all of them, while "not mine" is per measure and leaves the others as they were.
 */

export type AnswerFailure = 'unknown' | 'round_closed' | 'not_owner';

interface AnswerInput {
  roundId: string;
  contactId: string;
  now: DateTime;
}

interface MeasureAnswerInput extends AnswerInput {
  measureId: string;
}

type Failed = { ok: false; reason: AnswerFailure };
type CheckedPerson = { ok: true; round: ReportingRoundDoc; contact: ContactDoc } | Failed;
type CheckedMeasure = { ok: true; round: ReportingRoundDoc; measure: MeasureDoc; contact: ContactDoc } | Failed;

/** The button came from a reminder, but it may be old or pressed by somebody else. */
async function checkPerson(input: AnswerInput): Promise<CheckedPerson> {
  if (![input.roundId, input.contactId].every((id) => Types.ObjectId.isValid(id))) return { ok: false, reason: 'unknown' };
  const [round, contact] = await Promise.all([ReportingRoundModel.findById(input.roundId), ContactModel.findById(input.contactId)]);
  if (!round || !contact) return { ok: false, reason: 'unknown' };
  if (round.state !== 'open') return { ok: false, reason: 'round_closed' };
  return { ok: true, round, contact };
}

async function checkMeasure(input: MeasureAnswerInput): Promise<CheckedMeasure> {
  const ids = [input.roundId, input.measureId, input.contactId];
  if (!ids.every((id) => Types.ObjectId.isValid(id))) return { ok: false, reason: 'unknown' };
  const [round, measure, contact] = await Promise.all([
    ReportingRoundModel.findById(input.roundId),
    MeasureModel.findById(input.measureId),
    ContactModel.findById(input.contactId),
  ]);
  if (!round || !measure || !contact || !measure.plan.equals(round.plan)) return { ok: false, reason: 'unknown' };
  if (round.state !== 'open') return { ok: false, reason: 'round_closed' };
  if (!contact.measures.some((id) => id.equals(measure._id))) return { ok: false, reason: 'not_owner' };
  return { ok: true, round, measure, contact };
}

/** The person's measures of the round's plan (not cancelled), in plan order. */
function ownedMeasures(round: ReportingRoundDoc, contact: ContactDoc) {
  return MeasureModel.find({ _id: { $in: contact.measures }, plan: round.plan, 'currentStatus.status': { $ne: 'cancelled' } }, { code: 1, title: 1 })
    .sort({ order: 1, code: 1 })
    .lean();
}

/**
 * What the person still owes in the round: their measures without a report that they have not
 * said are not theirs. These are the ones a reminder lists, since a person's measures share the
 * round's schedule.
 */
async function openMeasures(round: ReportingRoundDoc, contact: ContactDoc, ownedAlready?: Awaited<ReturnType<typeof ownedMeasures>>) {
  const owned = ownedAlready ?? (await ownedMeasures(round, contact));
  const ids = owned.map((m) => m._id);
  const [reported, declined] = await Promise.all([
    StatusReportModel.find({ round: round._id, measure: { $in: ids } }, { measure: 1 }).lean(),
    ReminderStateModel.find({ round: round._id, contact: contact._id, measure: { $in: ids }, declinedAt: { $exists: true } }, { measure: 1 }).lean(),
  ]);
  const closed = new Set([...reported, ...declined].map((r) => String(r.measure)));
  return owned.filter((m) => !closed.has(String(m._id)));
}

/**
 * Upsert on the unique {round, measure, contact} key. Two first answers at once can both try to
 * insert; the loser gets E11000 and simply updates the row the winner made.
 */
async function saveState(key: { round: Types.ObjectId; measure: Types.ObjectId; contact: Types.ObjectId }, set: Record<string, unknown>) {
  try {
    await ReminderStateModel.updateOne(key, { $set: set }, { upsert: true });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    await ReminderStateModel.updateOne(key, { $set: set });
  }
}

/**
 * "Remind me tomorrow": every measure the person still owes in the round waits until the next
 * working day's office hours, so tomorrow brings one reminder listing them again. With
 * `measureId` (a button under a reminder from before they were combined) that measure alone.
 */
export async function snoozeReminder(
  input: AnswerInput & { measureId?: string },
): Promise<{ ok: true; until: DateTime; measureCodes: string[] } | Failed> {
  const target = await snoozeTarget(input);
  if (!target.ok) return target;
  const { round, contact, measures } = target;
  const until = snoozeUntil(input.now, contact.timeZone, roundPolicy(round));
  await Promise.all(measures.map((m) => saveState({ round: round._id, measure: m._id, contact: contact._id }, { snoozedUntil: until.toJSDate() })));
  return { ok: true, until, measureCodes: measures.map((m) => m.code) };
}

async function snoozeTarget(input: AnswerInput & { measureId?: string }) {
  if (input.measureId) {
    const checked = await checkMeasure({ ...input, measureId: input.measureId });
    return checked.ok ? { ...checked, measures: [checked.measure] } : checked;
  }
  const checked = await checkPerson(input);
  if (!checked.ok) return checked;
  const owned = await ownedMeasures(checked.round, checked.contact);
  if (owned.length === 0) return { ok: false as const, reason: 'not_owner' as const };
  return { ...checked, measures: await openMeasures(checked.round, checked.contact, owned) };
}

/**
 * "Not my measure": no more reminders to this person for this measure in this round, and every
 * coordinator is told on their chat channels (one delivery each, keyed so that a second tap does
 * not tell them twice). The person stays on the measure until a coordinator reassigns it.
 */
export async function declineMeasure(
  input: MeasureAnswerInput & { produce: (messages: OutboundMessage[]) => Promise<unknown> },
): Promise<{ ok: true; measureCode: string; coordinatorsTold: number; remaining: { id: string; code: string }[] } | Failed> {
  const checked = await checkMeasure(input);
  if (!checked.ok) return checked;
  const { round, measure, contact } = checked;
  const key = { round: round._id, measure: measure._id, contact: contact._id };
  const existing = await ReminderStateModel.findOne(key, { declinedAt: 1 }).lean();
  if (!existing?.declinedAt) await saveState(key, { declinedAt: input.now.toJSDate() });

  const recipients = await resolveAudience(COORDINATORS);
  const messages = recipients.map((c) => ({
    key: declinedNoticeKey({ roundId: String(round._id), measureId: String(measure._id), contactId: String(contact._id), coordinatorId: c.contactId, channel: c.channel }),
    purpose: 'reminder.declined',
    priority: 'notice' as const,
    contact: c.contactId,
    channel: c.channel,
    address: c.address,
    text: t(c.language, 'coordinator.declined', {
      name: contact.name,
      institution: contact.institution ?? '—',
      code: measure.code,
      title: measure.title[c.language] || measure.title.lv,
    }),
  }));
  if (messages.length > 0) await input.produce(messages);
  if (!existing?.declinedAt) {
    await AuditEntryModel.create({
      at: input.now.toJSDate(),
      actor: String(contact._id),
      action: 'reminder.decline',
      subject: `round:${String(round._id)}`,
      details: { measure: measure.code, contact: String(contact._id) },
    });
  }
  const remaining = (await openMeasures(round, contact)).map((m) => ({ id: String(m._id), code: m.code }));
  return { ok: true, measureCode: measure.code, coordinatorsTold: messages.length, remaining };
}
