import { DateTime } from 'luxon';
import {
  DeliveryModel,
  MeasureModel,
  MeetingModel,
  ReportingRoundModel,
  RsvpModel,
  StatusReportModel,
  isAttending,
  type Language,
  type MeasureStatus,
  type RsvpAnswer,
} from '../../models/index.js';
import { formatDate, formatTime, localTitle, t } from '../../i18n/index.js';
import { audienceMembers, type AudienceMember } from '../audiences.js';
import { digestKey } from '../delivery-keys.js';
import type { Attachment } from '../chat/message.js';
import type { OutboundMessage } from '../outbound-message.js';
import { meetingAudience } from '../meetings/meeting-audience.js';
import { holdFor, personalNow } from '../preferences/preference-gate.js';
import { currentPlanId } from '../plan/current-plan.js';
import { roundDeadline } from '../rounds/rounds.js';
import { duePeriod, overlappingPeriodIds, type DigestPeriod } from './digest-period.js';

/**
 * The weekly (or daily) digest, one per person and period, built by the scheduler's tick: the
 * status changes on the commitments they follow (those of their measures; everybody else follows
 * the whole plan), their deadlines ahead and overdue, their meetings in the next two weeks with
 * their answer. Coordinators' also has the replies received, overdue by institution, the RSVP
 * counts, the deliveries that failed, and the council's chart. An empty digest is recorded as
 * skipped, not sent; a long one is one message that the renderers split.
 */

const MEETINGS_AHEAD = { days: 14 };

/** Makes the council chart of a round for a coordinator's digest (rounds/council-chart.ts). */
export type ChartMaker = (roundId: string, lang: Language, now: Date) => Promise<Attachment | undefined>;

interface MeasureInfo {
  id: string;
  code: string;
  title: { lv: string; en?: string | null };
  commitmentNumber: number;
  institutions: string[];
}

interface SharedData {
  measures: Map<string, MeasureInfo>;
  changes: { measure: string; round: string; status: MeasureStatus; at: Date }[];
  rounds: { id: string; deadline: DateTime; timeZone: string; reported: Set<string> }[];
  meetings: { id: string; title: { lv: string; en?: string | null }; startsAt: Date; timeZone: string; invitees: Set<string>; answers: Map<string, RsvpAnswer> }[];
  failed: { purpose: string; at: Date }[];
}

const titleOf = (m: { title: { lv: string; en?: string | null } }, lang: Language) => localTitle(m.title, lang);

/** What a failed delivery was, as coordinators read it: the purposes grouped by feature. */
const FAILED_KINDS = ['reminder', 'meeting', 'broadcast', 'digest'] as const;
function failedKind(purpose: string): (typeof FAILED_KINDS)[number] | 'other' {
  return FAILED_KINDS.find((kind) => purpose === kind || purpose.startsWith(`${kind}.`) || purpose.startsWith(`${kind}-`)) ?? 'other';
}
const inWindow = (at: Date, period: DigestPeriod) => at >= period.since.toJSDate() && at < period.until.toJSDate();

async function loadShared(since: Date, now: DateTime): Promise<SharedData> {
  const plan = await currentPlanId();
  const [measures, changes, openRounds, meetings, failed] = await Promise.all([
    // Cancelled measures are nobody's to report (as for reminders): never "overdue".
    plan ? MeasureModel.find({ plan, 'currentStatus.status': { $ne: 'cancelled' } }, { code: 1, title: 1, commitmentNumber: 1, institutions: 1 }).sort({ order: 1 }).lean() : [],
    StatusReportModel.find({ updatedAt: { $gte: since } }, { measure: 1, round: 1, status: 1, updatedAt: 1 }).lean(),
    ReportingRoundModel.find({ state: 'open' }).lean(),
    MeetingModel.find({ state: 'announced', startsAt: { $gte: now.toJSDate(), $lte: now.plus(MEETINGS_AHEAD).toJSDate() } }).sort({ startsAt: 1 }).lean(),
    DeliveryModel.find({ state: { $in: ['failed', 'undeliverable'] }, updatedAt: { $gte: since } }, { purpose: 1, updatedAt: 1 }).lean(),
  ]);
  const roundReports = openRounds.length > 0 ? await StatusReportModel.find({ round: { $in: openRounds.map((r) => r._id) } }, { measure: 1, round: 1 }).lean() : [];
  const rsvps = meetings.length > 0 ? await RsvpModel.find({ meeting: { $in: meetings.map((m) => m._id) } }, { meeting: 1, contact: 1, answer: 1 }).lean() : [];
  const invitees = await Promise.all(meetings.map(async (m) => new Set((await audienceMembers(await meetingAudience(m))).map((p) => p.contactId))));
  return {
    measures: new Map(measures.map((m) => [String(m._id), { id: String(m._id), code: m.code, title: m.title, commitmentNumber: m.commitmentNumber, institutions: m.institutions }])),
    changes: changes.map((c) => ({ measure: String(c.measure), round: String(c.round), status: c.status, at: c.updatedAt ?? since })),
    rounds: openRounds.map((r) => ({
      id: String(r._id),
      deadline: roundDeadline(r),
      timeZone: r.timeZone,
      reported: new Set(roundReports.filter((s) => String(s.round) === String(r._id)).map((s) => String(s.measure))),
    })),
    meetings: meetings.map((m, i) => ({
      id: String(m._id),
      title: m.title,
      startsAt: m.startsAt,
      timeZone: m.timeZone,
      invitees: invitees[i] ?? new Set(),
      answers: new Map(rsvps.filter((r) => String(r.meeting) === String(m._id)).map((r) => [String(r.contact), r.answer])),
    })),
    failed: failed.map((d) => ({ purpose: d.purpose, at: d.updatedAt ?? since })),
  };
}

const bullet = (text: string) => `• ${text}`;

/** The person's own sections; empty when there is nothing to tell. */
function personSections(m: AudienceMember, period: DigestPeriod, data: SharedData, now: DateTime): string[][] {
  const lang = m.language;
  const own = new Set(m.measureIds);
  const followed = new Set([...own].map((id) => data.measures.get(id)?.commitmentNumber).filter((n) => n !== undefined));
  const follows = (id: string) => {
    const measure = data.measures.get(id);
    return measure !== undefined && (followed.size === 0 || followed.has(measure.commitmentNumber));
  };
  const sections: string[][] = [];

  const changes = data.changes.filter((c) => inWindow(c.at, period) && follows(c.measure));
  if (changes.length > 0) {
    sections.push([
      t(lang, 'digest.changes'),
      ...changes.map((c) => {
        const measure = data.measures.get(c.measure) as MeasureInfo;
        return bullet(`${measure.code} ${titleOf(measure, lang)} — ${t(lang, `status.${c.status}`)}`);
      }),
    ]);
  }

  const ahead: string[] = [];
  const overdue: string[] = [];
  for (const round of data.rounds) {
    const date = formatDate(lang, round.deadline.toJSDate(), round.timeZone, 'numeric');
    for (const id of own) {
      const measure = data.measures.get(id);
      if (!measure || round.reported.has(id)) continue;
      const line = bullet(t(lang, 'digest.deadline_line', { date, code: measure.code, title: titleOf(measure, lang) }));
      (round.deadline < now ? overdue : ahead).push(line);
    }
  }
  if (ahead.length > 0) sections.push([t(lang, 'digest.deadlines'), ...ahead]);
  if (overdue.length > 0) sections.push([t(lang, 'digest.overdue'), ...overdue]);

  const meetings = data.meetings.filter((meeting) => meeting.invitees.has(m.contactId));
  if (meetings.length > 0) {
    sections.push([
      t(lang, 'digest.meetings'),
      ...meetings.map((meeting) => {
        const answer = meeting.answers.get(m.contactId);
        const when = `${formatDate(lang, meeting.startsAt, meeting.timeZone, 'numeric')} ${formatTime(lang, meeting.startsAt, meeting.timeZone)}`;
        const said = answer ? t(lang, answer === 'deputy' ? 'digest.answer_deputy' : `my_meetings.answer.${answer}`) : t(lang, 'my_meetings.answer.none');
        return bullet(t(lang, 'digest.meeting_line', { when, title: titleOf(meeting, lang), answer: said }));
      }),
    ]);
  }
  return sections;
}

function coordinatorSections(lang: Language, period: DigestPeriod, data: SharedData, now: DateTime): string[][] {
  const sections: string[][] = [];
  const replies = data.changes.filter((c) => inWindow(c.at, period) && data.rounds.some((r) => r.id === c.round));
  if (replies.length > 0) {
    const codes = replies.map((c) => data.measures.get(c.measure)?.code).filter((code) => code !== undefined);
    sections.push([t(lang, 'digest.replies', { count: replies.length, codes: codes.join(', ') })]);
  }
  const byInstitution = new Map<string, number>();
  for (const round of data.rounds.filter((r) => r.deadline < now)) {
    for (const measure of data.measures.values()) {
      if (round.reported.has(measure.id)) continue;
      const institution = measure.institutions[0] ?? '—';
      byInstitution.set(institution, (byInstitution.get(institution) ?? 0) + 1);
    }
  }
  if (byInstitution.size > 0) {
    const parts = [...byInstitution].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([code, n]) => `${code} ${n}`);
    sections.push([t(lang, 'digest.overdue_by_institution'), bullet(parts.join(' · '))]);
  }
  if (data.meetings.length > 0) {
    sections.push([
      t(lang, 'digest.rsvp'),
      ...data.meetings.map((meeting) => {
        const answers = [...meeting.answers.values()];
        const attending = answers.filter(isAttending).length;
        return bullet(
          t(lang, 'digest.rsvp_line', {
            title: titleOf(meeting, lang),
            attending,
            declined: answers.length - attending,
            silent: Math.max(0, meeting.invitees.size - answers.length),
          }),
        );
      }),
    ]);
  }
  const failed = data.failed.filter((d) => inWindow(d.at, period));
  if (failed.length > 0) {
    const byKind = new Map<string, number>();
    for (const d of failed) {
      const kind = failedKind(d.purpose);
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    const purposes = [...byKind].map(([kind, n]) => `${t(lang, `digest.purpose.${kind as (typeof FAILED_KINDS)[number] | 'other'}`)} ${n}`).join(', ');
    sections.push([t(lang, 'digest.failed', { count: failed.length, purposes })]);
  }
  return sections;
}

/** Every digest due at `now` that has not been produced for its period yet. */
export async function dueDigestMessages(now: DateTime, chart?: ChartMaker): Promise<OutboundMessage[]> {
  const members = (await audienceMembers({})).filter((m) => m.identities.length > 0);
  const due = members.flatMap((m) => {
    const local = personalNow(now, m.timeZone);
    const period = duePeriod(m.preferences, local);
    if (!period) return [];
    const overlaps = overlappingPeriodIds(period, local).map((id) => digestKey({ contactId: m.contactId, period: id }));
    return [{ member: m, period, local, key: digestKey({ contactId: m.contactId, period: period.id }), overlaps }];
  });
  if (due.length === 0) return [];
  const keys = due.flatMap((d) => [d.key, ...d.overlaps]);
  const produced = new Set((await DeliveryModel.find({ key: { $in: keys } }, { key: 1 }).lean()).map((d) => d.key));
  const todo = due.filter((d) => !produced.has(d.key) && !d.overlaps.some((k) => produced.has(k)));
  if (todo.length === 0) return [];
  const since = DateTime.min(...todo.map((d) => d.period.since)) ?? now;
  const data = await loadShared(since.toJSDate(), now);

  // One chart per round and language for all coordinators, not a stored file each.
  const charts = new Map<string, Promise<Attachment | undefined>>();
  const chartOf = (roundId: string, lang: Language) => {
    const id = `${roundId}:${lang}`;
    if (!charts.has(id) && chart) charts.set(id, chart(roundId, lang, now.toJSDate()));
    return charts.get(id);
  };
  const messages: OutboundMessage[] = [];
  for (const { member: m, period, local, key } of todo) {
    const lang = m.language;
    const coordinator = m.roles.includes('coordinator');
    const sections = [...personSections(m, period, data, now), ...(coordinator ? coordinatorSections(lang, period, data, now) : [])];
    const heading = t(lang, m.preferences.digest === 'weekly' ? 'digest.weekly' : 'digest.daily', {
      from: formatDate(lang, period.since.toJSDate(), local.zoneName ?? 'UTC', 'numeric'),
      to: formatDate(lang, period.until.toJSDate(), local.zoneName ?? 'UTC', 'numeric'),
    });
    const identity = m.identities[0] as AudienceMember['identities'][number];
    const empty = sections.length === 0;
    const attachments: Attachment[] = [];
    if (!empty && coordinator && chart) {
      for (const round of data.rounds) {
        const file = await chartOf(round.id, lang);
        if (file) attachments.push(file);
      }
    }
    const held = empty ? { reason: 'empty_digest' as const } : holdFor('digest', m.preferences, m.timeZone, now);
    messages.push({
      key,
      purpose: 'digest',
      priority: 'bulk',
      contact: m.contactId,
      channel: identity.channel,
      address: identity.address,
      text: [heading, ...(empty ? [t(lang, 'digest.empty')] : sections.map((s) => s.join('\n')))].join('\n\n'),
      choices: [],
      ...(attachments.length > 0 ? { attachments } : {}),
      ...(held ? { held } : {}),
    });
  }
  return messages;
}

