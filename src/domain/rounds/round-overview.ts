import type { Types } from 'mongoose';
import {
  CommitmentModel,
  ContactModel,
  MeasureModel,
  PlanModel,
  ReminderStateModel,
  StatusReportModel,
  councilGroup,
  type MeasureStatus,
} from '../../models/index.js';
import { findRound, type Bilingual, type RoundError, type RoundRef } from './rounds.js';

/**
 * What a coordinator sees of a round: per commitment the counts the council's slide uses (not
 * started / in progress / completed or substantial progress) plus the measures with no report in
 * this round yet; who owes an overdue report; and every reply (round-export.ts writes them out).
 */

export const OVERVIEW_BUCKETS = ['not_started', 'in_progress', 'completed_or_substantial', 'cancelled', 'missing'] as const;
export type OverviewBucket = (typeof OVERVIEW_BUCKETS)[number];
export type BucketCounts = Record<OverviewBucket, number> & { total: number };

export interface OwnerRow {
  contactId: string;
  name: string;
  institution: string;
  email: string;
  /** Answered "not my measure" in this round. */
  declined: boolean;
}

export interface ReplyRow {
  status: MeasureStatus;
  note: string;
  links: string[];
  authorName: string;
  authorInstitution: string;
  at: Date;
  revisions: number;
}

export interface MeasureRow {
  measureId: string;
  code: string;
  commitmentNumber: number;
  title: Bilingual;
  institutions: string[];
  owners: OwnerRow[];
  reply: ReplyRow | null;
  bucket: OverviewBucket;
  overdue: boolean;
}

export interface CommitmentSummary {
  number: number;
  title: Bilingual;
  counts: BucketCounts;
}

export interface RoundOverview {
  plan: { key: string; title: Bilingual };
  round: { id: string; key: string; title: Bilingual; deadline: Date; timeZone: string; state: string };
  generatedAt: Date;
  commitments: CommitmentSummary[];
  totals: BucketCounts;
  measures: MeasureRow[];
  overdue: MeasureRow[];
}

function emptyCounts(): BucketCounts {
  return { not_started: 0, in_progress: 0, completed_or_substantial: 0, cancelled: 0, missing: 0, total: 0 };
}

/**
 * A measure counts by this round's reply. Without one it is "missing", unless the plan already
 * records it as cancelled: nobody is asked to report on a cancelled measure.
 */
function bucketOf(reply: ReplyRow | null, currentStatus: string | undefined): OverviewBucket {
  if (reply) return councilGroup(reply.status) ?? 'cancelled';
  return currentStatus === 'cancelled' ? 'cancelled' : 'missing';
}

const bilingual = (value: { lv?: string | null; en?: string | null } | null | undefined): Bilingual => ({
  lv: value?.lv ?? '',
  en: value?.en ?? '',
});

export async function roundOverview(
  ref: RoundRef,
  now: Date = new Date(),
): Promise<{ ok: true; overview: RoundOverview } | { ok: false; error: RoundError }> {
  const round = await findRound(ref);
  const plan = round ? await PlanModel.findById(round.plan).lean() : null;
  if (!round || !plan) {
    const name = 'roundId' in ref ? String(ref.roundId) : `${ref.planKey}/${ref.key}`;
    return {
      ok: false,
      error: { code: 'unknown_round', message: { lv: `Ziņošanas kārta „${name}” nav atrasta.`, en: `Reporting round "${name}" not found.` } },
    };
  }
  const [commitments, measures, reports, declines] = await Promise.all([
    CommitmentModel.find({ plan: plan._id }).sort({ number: 1 }).lean(),
    MeasureModel.find({ plan: plan._id }).sort({ order: 1 }).lean(),
    StatusReportModel.find({ round: round._id }).lean(),
    ReminderStateModel.find({ round: round._id, declinedAt: { $exists: true } }, { measure: 1, contact: 1 }).lean(),
  ]);
  const measureIds = measures.map((m) => m._id);
  const [owners, authors] = await Promise.all([
    ContactModel.find({ active: true, measures: { $in: measureIds } }).sort({ name: 1 }).lean(),
    ContactModel.find({ _id: { $in: reports.map((r) => r.author) } }, { name: 1, institution: 1 }).lean(),
  ]);
  const authorById = new Map(authors.map((a) => [String(a._id), a]));
  const reportByMeasure = new Map(reports.map((r) => [String(r.measure), r]));
  const declined = new Set(declines.map((d) => `${String(d.measure)}:${String(d.contact)}`));
  const overdueNow = now.getTime() > round.deadline.getTime();

  const rows: MeasureRow[] = measures.map((m) => {
    const report = reportByMeasure.get(String(m._id));
    const author = report ? authorById.get(String(report.author)) : undefined;
    const reply: ReplyRow | null = report
      ? {
          status: report.status,
          note: report.note,
          links: [...report.links],
          authorName: author?.name ?? '',
          authorInstitution: author?.institution ?? '',
          // The confirmed answer's time; updatedAt would also move on unrelated writes.
          at: report.revisions.at(-1)?.at ?? report.updatedAt,
          revisions: report.revisions.length,
        }
      : null;
    const bucket = bucketOf(reply, m.currentStatus?.status);
    return {
      measureId: String(m._id),
      code: m.code,
      commitmentNumber: m.commitmentNumber,
      title: bilingual(m.title),
      institutions: [...m.institutions],
      owners: owners
        .filter((o) => o.measures.some((id: Types.ObjectId) => id.equals(m._id)))
        .map((o) => ({
          contactId: String(o._id),
          name: o.name,
          institution: o.institution ?? '',
          email: o.email,
          declined: declined.has(`${String(m._id)}:${String(o._id)}`),
        })),
      reply,
      bucket,
      overdue: overdueNow && bucket === 'missing',
    };
  });

  const totals = emptyCounts();
  const summaries = commitments.map((c) => ({ number: c.number, title: bilingual(c.title), counts: emptyCounts() }));
  for (const row of rows) {
    const summary = summaries.find((s) => s.number === row.commitmentNumber);
    for (const counts of summary ? [summary.counts, totals] : [totals]) {
      counts[row.bucket] += 1;
      counts.total += 1;
    }
  }
  return {
    ok: true,
    overview: {
      plan: { key: plan.key, title: bilingual(plan.title) },
      round: {
        id: String(round._id),
        key: round.key,
        title: bilingual(round.title),
        deadline: round.deadline,
        timeZone: round.timeZone,
        state: round.state,
      },
      generatedAt: now,
      commitments: summaries,
      totals,
      measures: rows,
      overdue: rows.filter((r) => r.overdue),
    },
  };
}
