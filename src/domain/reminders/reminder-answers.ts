import { DateTime } from 'luxon';
import { Types } from 'mongoose';
import {
  AuditEntryModel,
  ContactModel,
  MeasureModel,
  ReminderStateModel,
  ReportingRoundModel,
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
 * reads them on its next tick.
 */

export type AnswerFailure = 'unknown' | 'round_closed' | 'not_owner';

interface AnswerInput {
  roundId: string;
  measureId: string;
  contactId: string;
  now: DateTime;
}

type Checked = { ok: true; round: ReportingRoundDoc; measure: MeasureDoc; contact: ContactDoc } | { ok: false; reason: AnswerFailure };

/** The button came from a reminder, but it may be old or pressed by somebody else. */
async function check(input: AnswerInput): Promise<Checked> {
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

export async function snoozeReminder(
  input: AnswerInput,
): Promise<{ ok: true; until: DateTime; measureCode: string } | { ok: false; reason: AnswerFailure }> {
  const checked = await check(input);
  if (!checked.ok) return checked;
  const { round, measure, contact } = checked;
  const until = snoozeUntil(input.now, contact.timeZone, roundPolicy(round));
  await saveState({ round: round._id, measure: measure._id, contact: contact._id }, { snoozedUntil: until.toJSDate() });
  return { ok: true, until, measureCode: measure.code };
}

/**
 * "Not my measure": no more reminders to this person for this measure in this round, and every
 * coordinator is told on their chat channels (one delivery each, keyed so that a second tap does
 * not tell them twice). The person stays on the measure until a coordinator reassigns it.
 */
export async function declineMeasure(
  input: AnswerInput & { produce: (messages: OutboundMessage[]) => Promise<unknown> },
): Promise<{ ok: true; measureCode: string; coordinatorsTold: number } | { ok: false; reason: AnswerFailure }> {
  const checked = await check(input);
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
  return { ok: true, measureCode: measure.code, coordinatorsTold: messages.length };
}
