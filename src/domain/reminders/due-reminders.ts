import { DateTime, IANAZone } from 'luxon';
import {
  DeliveryModel,
  MeasureModel,
  ReminderStateModel,
  ReportingRoundModel,
  StatusReportModel,
  type Language,
} from '../../models/index.js';
import { formatDate, t } from '../../i18n/index.js';
import { deadlineFromDate, deadlineKey, dueReminder, reminderSchedule, type ReminderPolicy, type ReminderStep } from './reminder-policy.js';
import { encodeReminderAction } from './reminder-actions.js';
import { roundDeadline, roundPolicy } from '../rounds/rounds.js';
import type { OutboundMessage } from '../outbound-message.js';
import { audienceMembers, COORDINATORS, resolveAudience } from '../audiences.js';
import { keyPrefixPattern, overdueNoticeKey, parseReminderKey, reminderKey, roundReminderPrefix, type ReminderKeyParts } from '../delivery-keys.js';

/**
 * Which reminders are due now, read from MongoDB state only: open rounds, their measures, the
 * measures' contact persons, this round's reports, the people's chat identities, their snoozes and
 * "not my measure" answers, and what was already sent (the Delivery keys). Nothing is remembered
 * between ticks, so a missed tick, a restart or two schedulers at once give the same answer, and
 * the unique delivery keys make producing it twice harmless.
 *
 * Reminder keys (delivery-keys.ts) lead with the round, so one anchored prefix query returns
 * everything sent for a round; the deadline is part of the key, so a moved deadline starts a fresh
 * schedule.
 */

/** "Anna Ozola (VK), Juris Kalns (VARAM)". */
function ownersText(owners: { name: string; institution?: string | null }[]): string {
  return owners.map((o) => (o.institution ? `${o.name} (${o.institution})` : o.name)).join(', ');
}

/** Everything sent for one round, grouped by measure and contact. */
async function sentForRound(roundId: string): Promise<Map<string, ReminderKeyParts[]>> {
  const docs = await DeliveryModel.find({ key: { $regex: keyPrefixPattern(roundReminderPrefix(roundId)) } }, { key: 1, _id: 0 }).lean();
  const byPerson = new Map<string, ReminderKeyParts[]>();
  for (const { key } of docs) {
    const sent = parseReminderKey(key);
    if (!sent) continue;
    const id = `${sent.measureId}:${sent.contactId}`;
    byPerson.set(id, [...(byPerson.get(id) ?? []), sent]);
  }
  return byPerson;
}

/**
 * The latest moment a reminder under an earlier deadline could have been sent at the soonest. If
 * that is not before the step now due, the person was reminded after that step's time already:
 * moving the deadline must not send the "same" reminder again at once.
 */
function lastEarlierReminder(sent: ReminderKeyParts[], currentKey: string, policy: ReminderPolicy, zone: string, now: DateTime, planZone: string): DateTime | null {
  let latest: DateTime | null = null;
  for (const s of sent) {
    if (s.deadlineKey === currentKey) continue;
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

function reminderText(lang: Language, step: ReminderStep, now: DateTime, deadline: DateTime, code: string, title: string, zone: string): string {
  const date = formatDate(lang, deadline.toJSDate(), zone, 'numeric');
  const overdue = step.kind === 'overdue' || (step.kind === 'snooze' && now > deadline);
  return overdue ? t(lang, 'reminder.overdue', { date, code, title }) : t(lang, 'reminder.text', { date, code, title });
}

function reminderChoices(lang: Language, roundId: string, measureId: string) {
  const id = (kind: 'report' | 'snooze' | 'decline') => encodeReminderAction({ kind, roundId, measureId });
  return [
    { id: id('report'), label: t(lang, 'reminder.button.report') },
    { id: id('snooze'), label: t(lang, 'reminder.button.tomorrow') },
    { id: id('decline'), label: t(lang, 'reminder.button.not_mine') },
  ];
}

const validZone = (zone: string | undefined, fallback: string) => (zone && IANAZone.isValidZone(zone) ? zone : fallback);

export interface DueReminders {
  messages: OutboundMessage[];
  /** Per-person computations that failed (bad data); the rest still went ahead. */
  problems: { roundId: string; measureId: string; contactId: string; error: string }[];
}

/** All reminder and coordinator messages due at `now`, over all open rounds. */
export async function dueReminderMessages(now: DateTime): Promise<DueReminders> {
  const result: DueReminders = { messages: [], problems: [] };
  const rounds = await ReportingRoundModel.find({ state: 'open' }).lean();
  if (rounds.length === 0) return result;
  const coordinators = await resolveAudience(COORDINATORS);
  for (const round of rounds) {
    const roundId = String(round._id);
    const deadline = roundDeadline(round);
    const dKey = deadlineKey(deadline);
    const policy = roundPolicy(round);
    const [measures, reports, states, sent] = await Promise.all([
      MeasureModel.find({ plan: round.plan, 'currentStatus.status': { $ne: 'cancelled' } }, { code: 1, title: 1 }).lean(),
      StatusReportModel.find({ round: round._id }, { measure: 1 }).lean(),
      ReminderStateModel.find({ round: round._id }).lean(),
      sentForRound(roundId),
    ]);
    const reported = new Set(reports.map((r) => String(r.measure)));
    const open = measures.filter((m) => !reported.has(String(m._id)));
    if (open.length === 0) continue;
    const owners = await audienceMembers({ measures: open.map((m) => m._id) });
    const stateOf = new Map(states.map((s) => [`${String(s.measure)}:${String(s.contact)}`, s]));

    for (const measure of open) {
      const measureId = String(measure._id);
      const measureOwners = owners.filter((o) => o.measureIds.includes(measureId));
      for (const owner of measureOwners) {
        const { contactId } = owner;
        const state = stateOf.get(`${measureId}:${contactId}`);
        if (state?.declinedAt) continue;
        try {
          const zone = validZone(owner.timeZone, round.timeZone);
          const mine = sent.get(`${measureId}:${contactId}`) ?? [];
          const step = dueReminder({
            deadline,
            policy,
            zone,
            now,
            reported: false,
            snoozedUntil: state?.snoozedUntil ? DateTime.fromJSDate(state.snoozedUntil, { zone }) : null,
            sentStepIds: new Set(mine.filter((s) => s.deadlineKey === dKey).map((s) => s.stepId)),
          });
          if (!step) continue;
          const earlier = lastEarlierReminder(mine, dKey, policy, zone, now, round.timeZone);
          if (earlier && earlier >= step.at) continue;

          const lang = owner.language;
          const title = measure.title[lang] || measure.title.lv;
          for (const identity of owner.identities) {
            result.messages.push({
              key: reminderKey({ roundId, deadlineKey: dKey, measureId, contactId, stepId: step.id, channel: identity.channel }),
              purpose: 'reminder',
              priority: 'reminder',
              contact: contactId,
              channel: identity.channel,
              address: identity.address,
              text: reminderText(lang, step, now, deadline, measure.code, title, round.timeZone),
              choices: reminderChoices(lang, roundId, measureId),
            });
          }
          if (step.notifyCoordinator) {
            // Those who said "not mine" are not the ones to chase.
            const others = measureOwners
              .filter((o) => !stateOf.get(`${measureId}:${o.contactId}`)?.declinedAt)
              .map((o) => ({ name: o.name, institution: o.institution }));
            for (const c of coordinators) {
              const text = t(c.language, 'coordinator.overdue', {
                code: measure.code,
                title: measure.title[c.language] || measure.title.lv,
                date: formatDate(c.language, deadline.toJSDate(), round.timeZone, 'numeric'),
                owners: ownersText(others),
              });
              result.messages.push({
                key: overdueNoticeKey({ roundId, deadlineKey: dKey, measureId, coordinatorId: c.contactId, channel: c.channel }),
                purpose: 'reminder.coordinator',
                priority: 'notice',
                contact: c.contactId,
                channel: c.channel,
                address: c.address,
                text,
              });
            }
          }
        } catch (error) {
          result.problems.push({ roundId, measureId, contactId, error: (error as Error).message });
        }
      }
    }
  }
  return result;
}
