import type { Types } from 'mongoose';
import { AuditEntryModel } from '../../models/audit-entry.js';
import { CommitmentModel } from '../../models/commitment.js';
import { InstitutionModel } from '../../models/institution.js';
import { MeasureModel } from '../../models/measure.js';
import { PlanModel } from '../../models/plan.js';
import { measureOrder, parsePlanFile, statusAsOfDate, type PlanFile } from './plan-file.js';
import type { ImportResult } from './plan-import-problem.js';

export type { ImportProblem, ImportResult } from './plan-import-problem.js';

export interface UpsertCounts {
  /** Entries in the file. */
  total: number;
  created: number;
  /** Existing documents whose content changed. */
  updated: number;
}

export interface PlanImportSummary {
  planKey: string;
  planId: string;
  plan: { created: boolean; updated: boolean };
  institutions: UpsertCounts;
  commitments: UpsertCounts;
  measures: UpsertCounts;
  statuses: {
    /** Measures whose current status was set from the file now. */
    written: string[];
    /** Measures that already had exactly the file's status. */
    unchanged: string[];
    /** Measures left alone because a later status (e.g. from a reporting round) is stored. */
    keptNewer: string[];
  };
  /** Measures stored for this plan but absent from the file; they are kept, not deleted. */
  measuresNotInFile: string[];
}

export interface ImportOptions {
  /** Who is importing, for the audit log: `cli`, `system`, or a contact id. */
  actor: string;
  /**
   * The zone of a plan whose file names none, and of people whose row names none: the TZ_DEFAULT
   * setting. Left out (tests, the demo): the forum's own zone.
   */
  defaultTimeZone?: string;
}

interface Bilingual {
  lv: string;
  en?: string | null;
}
const bilingual = (t: Bilingual) => ({ lv: t.lv, en: t.en ?? '' });

/**
 * Only new or changed entries are written: mongoose stamps `updatedAt` on every update, so writing
 * unchanged ones would make every re-import look like a change and blur the audit trail.
 */
function pending<Entry>(entries: Entry[], stored: Map<string, string>, key: (e: Entry) => string, shape: (e: Entry) => unknown) {
  const changed = entries.filter((e) => stored.get(key(e)) !== JSON.stringify(shape(e)));
  return { changed, updated: changed.filter((e) => stored.has(key(e))).length };
}

const institutionShape = (i: { name: Bilingual; kind: string }) => ({ name: bilingual(i.name), kind: i.kind });

async function upsertInstitutions(file: PlanFile): Promise<UpsertCounts> {
  const stored = await InstitutionModel.find({ code: { $in: file.institutions.map((i) => i.code) } }).lean();
  const { changed, updated } = pending(
    file.institutions,
    new Map(stored.map((i) => [i.code, JSON.stringify(institutionShape(i))])),
    (i) => i.code,
    institutionShape,
  );
  if (changed.length === 0) return { total: file.institutions.length, created: 0, updated: 0 };
  const result = await InstitutionModel.bulkWrite(
    changed.map((institution) => ({
      updateOne: {
        filter: { code: institution.code },
        update: { $set: { name: institution.name, kind: institution.kind } },
        upsert: true,
      },
    })),
  );
  return { total: file.institutions.length, created: result.upsertedCount, updated };
}

async function upsertPlan(file: PlanFile): Promise<{ id: Types.ObjectId; created: boolean; updated: boolean }> {
  const { key, number, title, startYear, endYear, timeZone } = file.plan;
  const fields = { number, title: bilingual(title), startYear, endYear, timeZone, statusAsOf: statusAsOfDate(file.plan)?.toISOString() };
  const stored = await PlanModel.findOne({ key }).lean();
  const storedFields = stored && {
    number: stored.number,
    title: bilingual(stored.title),
    startYear: stored.startYear,
    endYear: stored.endYear,
    timeZone: stored.timeZone,
    statusAsOf: stored.statusAsOf?.toISOString(),
  };
  if (stored && JSON.stringify(storedFields) === JSON.stringify(fields)) return { id: stored._id, created: false, updated: false };
  const set = { number, title, startYear, endYear, timeZone, statusAsOf: statusAsOfDate(file.plan) };
  const result = await PlanModel.updateOne({ key }, { $set: set }, { upsert: true });
  const plan = await PlanModel.findOne({ key }, { _id: 1 }).orFail();
  return { id: plan._id, created: result.upsertedCount > 0, updated: Boolean(stored) };
}

async function upsertCommitments(file: PlanFile, planId: Types.ObjectId): Promise<{ counts: UpsertCounts; ids: Map<number, Types.ObjectId> }> {
  const before = await CommitmentModel.find({ plan: planId }).lean();
  const { changed, updated } = pending(
    file.commitments,
    new Map(before.map((c) => [String(c.number), JSON.stringify(bilingual(c.title))])),
    (c) => String(c.number),
    (c) => bilingual(c.title),
  );
  let created = 0;
  if (changed.length > 0) {
    const result = await CommitmentModel.bulkWrite(
      changed.map((commitment) => ({
        updateOne: {
          filter: { plan: planId, number: commitment.number },
          update: { $set: { title: commitment.title } },
          upsert: true,
        },
      })),
    );
    created = result.upsertedCount;
  }
  const stored = await CommitmentModel.find({ plan: planId }, { number: 1 });
  return { counts: { total: file.commitments.length, created, updated }, ids: new Map(stored.map((c) => [c.number, c._id])) };
}

interface MeasureContent {
  commitmentNumber: number;
  title: Bilingual;
  subItems: { code: string; title: Bilingual }[];
  institutions: string[];
  partners: string[];
}
const measureShape = (m: MeasureContent) => ({
  commitmentNumber: m.commitmentNumber,
  title: bilingual(m.title),
  subItems: m.subItems.map((s) => ({ code: s.code, title: bilingual(s.title) })),
  institutions: m.institutions,
  partners: m.partners,
});

async function upsertMeasures(
  file: PlanFile,
  planId: Types.ObjectId,
  commitmentIds: Map<number, Types.ObjectId>,
  stored: (MeasureContent & { code: string })[],
): Promise<UpsertCounts> {
  const { changed, updated } = pending(
    file.measures,
    new Map(stored.map((m) => [m.code, JSON.stringify(measureShape(m))])),
    (m) => m.code,
    (m) => measureShape({ ...m, commitmentNumber: m.commitment }),
  );
  if (changed.length === 0) return { total: file.measures.length, created: 0, updated: 0 };
  const commitmentId = (n: number) => {
    const id = commitmentIds.get(n);
    // Validation checked every commitment number against the file, so this is a bug if it fires.
    if (!id) throw new Error(`commitment ${n} was not stored`);
    return id;
  };
  // Plain sub-item objects, not mongoose's DocumentArray type: this is what goes over the wire.
  const result = await MeasureModel.bulkWrite<MeasureContent & { commitment: Types.ObjectId; order: number }>(
    changed.map((measure) => ({
      updateOne: {
        filter: { plan: planId, code: measure.code },
        update: {
          $set: {
            commitment: commitmentId(measure.commitment),
            commitmentNumber: measure.commitment,
            order: measureOrder(measure.code),
            title: measure.title,
            subItems: measure.subItems,
            institutions: measure.institutions,
            partners: measure.partners,
          },
        },
        upsert: true,
      },
    })),
  );
  return { total: file.measures.length, created: result.upsertedCount, updated };
}

interface StoredStatus {
  status: string;
  note?: string | null;
  asOf: Date;
  source: string;
}

/**
 * The file's statuses are what the council saw on `statusAsOf`. A status stored with a later date
 * (a reporting round that ran after the council meeting) is newer knowledge and stays; the
 * condition sits in the update filter so that a round writing at the same moment still wins.
 */
async function writeStatuses(file: PlanFile, planId: Types.ObjectId, before: Map<string, StoredStatus | undefined>) {
  const asOf = statusAsOfDate(file.plan);
  const result = { written: [] as string[], unchanged: [] as string[], keptNewer: [] as string[] };
  if (!asOf) return result;
  const writes = [];
  for (const measure of file.measures) {
    if (!measure.status) continue;
    const next = { status: measure.status.status, note: measure.status.note, asOf, source: 'import' };
    const stored = before.get(measure.code);
    if (stored && stored.asOf > asOf) {
      result.keptNewer.push(measure.code);
    } else if (stored && JSON.stringify({ ...stored, note: stored.note ?? '' }) === JSON.stringify(next)) {
      result.unchanged.push(measure.code);
    } else {
      result.written.push(measure.code);
      writes.push({
        updateOne: {
          filter: {
            plan: planId,
            code: measure.code,
            $or: [{ currentStatus: { $exists: false } }, { currentStatus: null }, { 'currentStatus.asOf': { $lte: asOf } }],
          },
          update: { $set: { currentStatus: next } },
        },
      });
    }
  }
  if (writes.length > 0) await MeasureModel.bulkWrite(writes);
  return result;
}

/**
 * Loads a plan file: validates all of it first and writes nothing if anything is wrong; then
 * upserts by natural keys (plan key, plan + commitment number, plan + measure code, institution
 * code). There are no multi-document transactions on FerretDB, so a run that dies half-way is
 * repaired by running it again: every step is an idempotent upsert.
 */
export async function importPlan(text: string, options: ImportOptions): Promise<ImportResult<PlanImportSummary>> {
  const parsed = parsePlanFile(text, { defaultTimeZone: options.defaultTimeZone });
  if (!parsed.ok) return parsed;
  const file = parsed.plan;

  const institutions = await upsertInstitutions(file);
  const plan = await upsertPlan(file);
  const commitments = await upsertCommitments(file, plan.id);

  const stored = await MeasureModel.find({ plan: plan.id }).lean();
  const before = new Map(stored.map((m) => [m.code, m.currentStatus ?? undefined]));

  const measures = await upsertMeasures(file, plan.id, commitments.ids, stored);
  const statuses = await writeStatuses(file, plan.id, before);
  const inFile = new Set(file.measures.map((m) => m.code));
  const measuresNotInFile = stored.map((m) => m.code).filter((code) => !inFile.has(code));

  const summary: PlanImportSummary = {
    planKey: file.plan.key,
    planId: plan.id.toString(),
    plan: { created: plan.created, updated: plan.updated },
    institutions,
    commitments: commitments.counts,
    measures,
    statuses,
    measuresNotInFile,
  };
  await AuditEntryModel.create({
    actor: options.actor,
    action: 'plan.import',
    subject: `plan:${file.plan.key}`,
    details: {
      institutions,
      commitments: commitments.counts,
      measures,
      statusesWritten: statuses.written.length,
      statusesKeptNewer: statuses.keptNewer,
      measuresNotInFile,
    },
  });
  return { ok: true, summary };
}
