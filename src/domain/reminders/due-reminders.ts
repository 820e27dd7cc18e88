import { DateTime } from 'luxon';
import { validZone } from '../time-zones.js';
import type { Types } from 'mongoose';
import {
  DeliveryModel,
  MeasureModel,
  ReminderStateModel,
  ReportingRoundModel,
  StatusReportModel,
  type Language,
} from '../../models/index.js';
import { formatDate } from '../../i18n/index.js';
import {
  coordinatorStepId,
  coordinatorStepPassed,
  deadlineFromDate,
  deadlineKey,
  dueReminder,
  reminderSchedule,
  type ReminderPolicy,
  type ReminderStep,
} from './reminder-policy.js';
import { overdueNoticeText, ownersText, reminderChoices, reminderText, type ListedMeasure } from './reminder-messages.js';
import { roundDeadline, roundPolicy } from '../rounds/rounds.js';
import type { OutboundMessage } from '../outbound-message.js';
import { audienceMembers, COORDINATORS, type AudienceMember } from '../audiences.js';
import {
  keyPrefixPattern,
  overdueNoticeKey,
  parseOverdueNoticeKey,
  parseReminderKey,
  reminderKey,
  roundOverdueNoticePrefix,
  roundReminderPrefix,
} from '../delivery-keys.js';

/**
 * Which reminders are due now, read from MongoDB state only: open rounds, their measures, the
 * measures' contact persons, this round's reports, the people's chat identities, their snoozes and
 * "not my measure" answers, and what was already sent (the Delivery records). Nothing is remembered
 * between ticks, so a missed tick, a restart or two schedulers at once give the same answer, and
 * the unique delivery keys make producing it twice harmless.
 *
 * The policy decides per measure which step is due; the measures a person owes at the same step go
 * out as one message per channel, keyed per person and step (delivery-keys.ts), with the measures
 * it listed recorded on the Delivery. "Already sent" is read per measure from those records, so a
 * measure that becomes due at a step already sent (assigned that day, or left out because another
 * scheduler wrote the step's key first from an older read) goes out on the next tick as the step's
 * next part, and a re-run writes the same keys again. Coordinators' overdue notices are combined
 * and read back the same way, per coordinator.
 *
 * Keys lead with the round, so one anchored prefix query returns everything sent for a round; the
 * deadline is part of the key, so a moved deadline starts a fresh schedule.
 */

/** More are sent as the step's next parts: 2n+1 buttons stay well under the outbox's 100, and a plan of 26 fits in one. */
const MEASURES_PER_MESSAGE = 30;

/** A reminder or notice as recorded: its step and which measures it listed. */
interface Sent {
  deadlineKey: string;
  stepId?: string;
  /** Absent on records from before reminders were combined (keyed per measure). */
  part?: number;
  covers: (measureId: string) => boolean;
}

/**
 * The one measure of a key from before messages were combined, else the ones recorded with it. A
 * combined record without them (none should exist) covers everything: a reminder missed is better
 * than one sent again on every tick.
 */
function coverage(measureId: string | undefined, measures: Types.ObjectId[] | null | undefined): Sent['covers'] {
  if (measureId) return (id) => id === measureId;
  if (!measures?.length) return () => true;
  const ids = new Set(measures.map(String));
  return (id) => ids.has(id);
}

/** Everything recorded under `prefix`, grouped by the person it went to. */
async function sentUnder(
  prefix: string,
  parse: (key: string) => { deadlineKey: string; stepId?: string; part: number; measureId?: string; person: string } | null,
): Promise<Map<string, Sent[]>> {
  const docs = await DeliveryModel.find({ key: { $regex: keyPrefixPattern(prefix) } }, { key: 1, measures: 1, _id: 0 }).lean();
  const byPerson = new Map<string, Sent[]>();
  for (const doc of docs) {
    const key = parse(doc.key);
    if (!key) continue;
    const sent: Sent = {
      deadlineKey: key.deadlineKey,
      stepId: key.stepId,
      part: key.measureId ? undefined : key.part,
      covers: coverage(key.measureId, doc.measures),
    };
    byPerson.set(key.person, [...(byPerson.get(key.person) ?? []), sent]);
  }
  return byPerson;
}

const remindersSent = (roundId: string) =>
  sentUnder(roundReminderPrefix(roundId), (key) => {
    const parsed = parseReminderKey(key);
    return parsed && { ...parsed, person: parsed.contactId };
  });

const noticesSent = (roundId: string) =>
  sentUnder(roundOverdueNoticePrefix(roundId), (key) => {
    const parsed = parseOverdueNoticeKey(key);
    return parsed && { ...parsed, person: parsed.coordinatorId };
  });

/** The next part of a step: one more than the messages of that step already recorded. */
function nextPart(sent: readonly Sent[], dKey: string, stepId: string): number {
  return Math.max(0, ...sent.filter((s) => s.deadlineKey === dKey && s.stepId === stepId).map((s) => s.part ?? 0)) + 1;
}

/**
 * The latest moment a reminder under an earlier deadline could have been sent at the soonest. If
 * that is not before the step now due, the person was reminded after that step's time already:
 * moving the deadline must not send the "same" reminder again at once.
 */
function lastEarlierReminder(sent: Sent[], currentKey: string, policy: ReminderPolicy, zone: string, now: DateTime, planZone: string): DateTime | null {
  let latest: DateTime | null = null;
  for (const s of sent) {
    if (s.deadlineKey === currentKey || !s.stepId) continue;
    let at: DateTime | undefined;
    const snooze = /^snooze-(\d{4}-\d{2}-\d{2})$/.exec(s.stepId);
    if (snooze) {
      at = DateTime.fromISO(snooze[1] as string, { zone }).set({ hour: policy.officeHoursStart });
    } else {
      const deadline = deadlineFromDate(s.deadlineKey, planZone);
      at = reminderSchedule({ deadline, policy, zone, until: now }).find((step) => step.id === s.stepId)?.at;
    }
    if (at && (!latest || at > latest)) latest = at;
  }
  return latest;
}


const listed = (m: { _id: Types.ObjectId; code: string; title: ListedMeasure['title'] }): ListedMeasure => ({ id: String(m._id), code: m.code, title: m.title });

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
  return out;
}

export interface DueReminders {
  messages: OutboundMessage[];
  /** Per-person computations that failed (bad data); the rest still went ahead. */
  problems: { roundId: string; measureId: string; contactId: string; error: string }[];
}

interface RoundContext {
  roundId: string;
  dKey: string;
  deadline: DateTime;
  /** The deadline as the texts show it, in the plan's zone. */
  date: (lang: Language) => string;
}

/** One message per channel for each part of the step, listing `measures` in plan order. */
function reminderMessages(round: RoundContext, owner: AudienceMember, step: ReminderStep, measures: ListedMeasure[], firstPart: number, now: DateTime): OutboundMessage[] {
  const lang = owner.language;
  const overdue = step.kind === 'overdue' || (step.kind === 'snooze' && now > round.deadline);
  return chunks(measures, MEASURES_PER_MESSAGE).flatMap((list, i) =>
    owner.identities.map((identity) => ({
      key: reminderKey({ roundId: round.roundId, deadlineKey: round.dKey, contactId: owner.contactId, stepId: step.id, channel: identity.channel, part: firstPart + i }),
      purpose: 'reminder',
      priority: 'reminder' as const,
      contact: owner.contactId,
      channel: identity.channel,
      address: identity.address,
      text: reminderText(lang, { date: round.date(lang), overdue, measures: list }),
      choices: reminderChoices(lang, round.roundId, list),
      measures: list.map((m) => m.id),
    })),
  );
}

/** All reminder and coordinator messages due at `now`, over all open rounds. */
export async function dueReminderMessages(now: DateTime): Promise<DueReminders> {
  const result: DueReminders = { messages: [], problems: [] };
  const rounds = await ReportingRoundModel.find({ state: 'open' }).lean();
  if (rounds.length === 0) return result;
  const coordinators = await audienceMembers(COORDINATORS);
  for (const round of rounds) {
    const roundId = String(round._id);
    const deadline = roundDeadline(round);
    const dKey = deadlineKey(deadline);
    const policy = roundPolicy(round);
    const context: RoundContext = { roundId, dKey, deadline, date: (lang) => formatDate(lang, deadline.toJSDate(), round.timeZone, 'numeric') };
    const [measures, reports, states, reminders, notices] = await Promise.all([
      MeasureModel.find({ plan: round.plan, 'currentStatus.status': { $ne: 'cancelled' } }, { code: 1, title: 1 }).sort({ order: 1, code: 1 }).lean(),
      StatusReportModel.find({ round: round._id }, { measure: 1 }).lean(),
      ReminderStateModel.find({ round: round._id }).lean(),
      remindersSent(roundId),
      noticesSent(roundId),
    ]);
    const reported = new Set(reports.map((r) => String(r.measure)));
    const open = measures.filter((m) => !reported.has(String(m._id))).map(listed);
    if (open.length === 0) continue;
    const owners = await audienceMembers({ measures: open.map((m) => m.id) });
    const stateOf = new Map(states.map((s) => [`${String(s.measure)}:${String(s.contact)}`, s]));
    // Those who said "not mine" are neither reminded nor named to the coordinators.
    const owes = (owner: AudienceMember, measureId: string) => owner.measureIds.includes(measureId) && !stateOf.get(`${measureId}:${owner.contactId}`)?.declinedAt;
    const toTell = new Set<string>();

    for (const owner of owners) {
      const { contactId } = owner;
      const sent = reminders.get(contactId) ?? [];
      const due = new Map<string, { step: ReminderStep; measures: ListedMeasure[] }>();
      for (const measure of open.filter((m) => owes(owner, m.id))) {
        try {
          const zone = validZone(owner.timeZone, round.timeZone);
          const mine = sent.filter((s) => s.covers(measure.id));
          const sentStepIds = new Set(mine.filter((s) => s.deadlineKey === dKey && s.stepId).map((s) => s.stepId as string));
          const snoozedUntil = stateOf.get(`${measure.id}:${contactId}`)?.snoozedUntil;
          const timing = { deadline, policy, zone, now, sentStepIds };
          let step = dueReminder({ ...timing, reported: false, snoozedUntil: snoozedUntil ? DateTime.fromJSDate(snoozedUntil, { zone }) : null });
          const earlier = step && lastEarlierReminder(mine, dKey, policy, zone, now, round.timeZone);
          if (step && earlier && earlier >= step.at) step = null;
          if (step?.notifyCoordinator || coordinatorStepPassed(timing)) toTell.add(measure.id);
          if (!step) continue;
          const group = due.get(step.id) ?? { step, measures: [] };
          group.measures.push(measure);
          due.set(step.id, group);
        } catch (error) {
          result.problems.push({ roundId, measureId: measure.id, contactId, error: (error as Error).message });
        }
      }
      for (const { step, measures: list } of due.values()) {
        result.messages.push(...reminderMessages(context, owner, step, list, nextPart(sent, dKey, step.id), now));
      }
    }

    const tellStep = coordinatorStepId(policy);
    if (!tellStep || toTell.size === 0) continue;
    for (const c of coordinators) {
      const told = (notices.get(c.contactId) ?? []).filter((n) => n.deadlineKey === dKey);
      const untold = open.filter((m) => toTell.has(m.id) && !told.some((n) => n.covers(m.id)));
      if (untold.length === 0) continue;
      const items = untold.map((measure) => ({ measure, owners: ownersText(owners.filter((o) => owes(o, measure.id))) }));
      const part = nextPart(told, dKey, tellStep);
      for (const identity of c.identities) {
        result.messages.push({
          key: overdueNoticeKey({ roundId, deadlineKey: dKey, coordinatorId: c.contactId, stepId: tellStep, channel: identity.channel, part }),
          purpose: 'reminder.coordinator',
          priority: 'notice',
          contact: c.contactId,
          channel: identity.channel,
          address: identity.address,
          text: overdueNoticeText(c.language, context.date(c.language), items),
          measures: untold.map((m) => m.id),
        });
      }
    }
  }
  return result;
}
