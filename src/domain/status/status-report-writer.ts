import type { DateTime } from 'luxon';
import { Types } from 'mongoose';
import {
  AuditEntryModel,
  MeasureModel,
  ReportingRoundModel,
  StatusReportModel,
  type Channel,
  type Contact,
} from '../../models/index.js';
import type { SaveReportEffect } from './status-flow.js';
import { KeyedLock } from '../chat/keyed-lock.js';
import { isDuplicateKey } from '../../models/duplicate-key.js';

export type SaveReportResult = { ok: true; revision: number } | { ok: false; reason: 'round_closed' | 'not_your_measure' };


/**
 * Stores a confirmed answer. The report of (round, measure) is the truth and is written first, in
 * one atomic upsert that also appends the revision, so the history is never lost and two answers
 * at once both land. Then the measure's current status and the audit trail follow. There are no
 * multi-document transactions on the servers we run on; if the process dies between the writes,
 * the person's next confirmation repeats them (a duplicate revision, never a lost one).
 * MongoDB applies the `$push` atomically; FerretDB does not, hence the lock.
 */
/** Writes to one (round, measure) report one at a time in this process (see keyed-lock.ts). */
const reports = new KeyedLock();

export async function saveStatusReport(
  effect: SaveReportEffect,
  author: Pick<Contact, 'measures'> & { _id: Types.ObjectId },
  channel: Channel,
  now: DateTime,
): Promise<SaveReportResult> {
  return reports.run(`${effect.roundId ?? ''}:${effect.measureId}`, () => save(effect, author, channel, now));
}

async function save(
  effect: SaveReportEffect,
  author: Pick<Contact, 'measures'> & { _id: Types.ObjectId },
  channel: Channel,
  now: DateTime,
): Promise<SaveReportResult> {
  if (!effect.roundId || !Types.ObjectId.isValid(effect.roundId) || !Types.ObjectId.isValid(effect.measureId)) {
    return { ok: false, reason: 'round_closed' };
  }
  const [round, measure] = await Promise.all([
    ReportingRoundModel.findById(effect.roundId).lean(),
    MeasureModel.findById(effect.measureId).lean(),
  ]);
  if (!round || round.state !== 'open') return { ok: false, reason: 'round_closed' };
  const owns = author.measures.some((id) => String(id) === effect.measureId);
  if (!measure || !owns || String(measure.plan) !== String(round.plan)) return { ok: false, reason: 'not_your_measure' };

  const at = now.toJSDate();
  const { status, note, links } = effect;
  const filter = { round: round._id, measure: measure._id };
  const update = {
    $set: { status, note, links, author: author._id },
    $push: { revisions: { status, note, links, author: author._id, at, channel } },
  };
  const upsert = () => StatusReportModel.findOneAndUpdate(filter, update, { upsert: true, new: true, runValidators: true }).lean();
  // Two first answers at once: one insert wins the unique index, the other retries as an update.
  const report = await upsert().catch((error: unknown) => (isDuplicateKey(error) ? upsert() : Promise.reject(error)));
  const revision = report?.revisions.length ?? 0;

  // Past mongoose's write hooks on purpose: the current status is not in the plan cache
  // (plan-cache.ts), and announcing this write would make every report drop every process's plan.
  await MeasureModel.collection.updateOne(
    { _id: measure._id },
    { $set: { currentStatus: { status, note, asOf: at, source: String(round._id) }, updatedAt: new Date() } },
  );
  await AuditEntryModel.create({
    at,
    actor: String(author._id),
    action: 'status_report.saved',
    subject: `measure:${effect.measureId}`,
    // The note itself stays in the report; the audit says who, when, what status and which revision.
    details: { round: String(round._id), status, revision, links: links.length, channel },
  });
  return { ok: true, revision };
}
