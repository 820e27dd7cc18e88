import { Types } from 'mongoose';
import { MeasureModel, ReportingRoundModel, StatusReportModel, type Contact, type Language } from '../../models/index.js';
import { localTitle } from '../../i18n/index.js';
import type { FlowMeasure } from './status-flow.js';

export interface ReportedAnswer {
  status: string;
  note: string;
  links: string[];
}

/** A measure the contact answers for, with the open reporting round of its plan (if any). */
export interface OwnedMeasure {
  id: string;
  planId: string;
  code: string;
  title: { lv: string; en: string };
  round: { id: string; key: string; title: { lv: string; en: string }; deadline: Date; timeZone: string } | null;
  /** Answered in that open round already. */
  reported: boolean;
  /** That answer (when there is one), so a correction starts from it. */
  answer?: ReportedAnswer;
  currentStatus: { status: string; note: string; asOf: Date; source: string } | null;
}

/**
 * The contact's measures in plan order, each with its plan's open round. When a plan has more
 * than one open round, the one with the earliest deadline is the one being answered.
 */
export async function loadOwnedMeasures(contact: Pick<Contact, 'measures'>): Promise<OwnedMeasure[]> {
  if (contact.measures.length === 0) return [];
  const measures = await MeasureModel.find({ _id: { $in: contact.measures } })
    .sort({ plan: 1, order: 1 })
    .lean();
  const planIds = [...new Set(measures.map((m) => String(m.plan)))].map((id) => new Types.ObjectId(id));
  const rounds = await ReportingRoundModel.find({ plan: { $in: planIds }, state: 'open' }).sort({ deadline: 1 }).lean();
  const roundOfPlan = new Map<string, (typeof rounds)[number]>();
  for (const round of rounds) if (!roundOfPlan.has(String(round.plan))) roundOfPlan.set(String(round.plan), round);

  const answered = new Map<string, ReportedAnswer>();
  if (rounds.length > 0) {
    const reports = await StatusReportModel.find(
      { round: { $in: [...roundOfPlan.values()].map((r) => r._id) }, measure: { $in: measures.map((m) => m._id) } },
      { round: 1, measure: 1, status: 1, note: 1, links: 1 },
    ).lean();
    for (const r of reports) answered.set(`${String(r.round)}:${String(r.measure)}`, { status: r.status, note: r.note ?? '', links: [...(r.links ?? [])] });
  }

  return measures.map((m) => {
    const round = roundOfPlan.get(String(m.plan));
    return {
      id: String(m._id),
      planId: String(m.plan),
      code: m.code,
      title: { lv: m.title.lv, en: m.title.en ?? '' },
      round: round
        ? {
            id: String(round._id),
            key: round.key,
            title: { lv: round.title.lv, en: round.title.en ?? '' },
            deadline: round.deadline,
            timeZone: round.timeZone,
          }
        : null,
      reported: round ? answered.has(`${String(round._id)}:${String(m._id)}`) : false,
      answer: round ? answered.get(`${String(round._id)}:${String(m._id)}`) : undefined,
      currentStatus: m.currentStatus
        ? { status: m.currentStatus.status, note: m.currentStatus.note ?? '', asOf: m.currentStatus.asOf, source: m.currentStatus.source }
        : null,
    };
  });
}

/** What the status flow may offer: only measures whose round is open. */
export function toFlowMeasures(owned: OwnedMeasure[], lang: Language): FlowMeasure[] {
  return owned.flatMap((m) =>
    m.round
      ? [{ id: m.id, code: m.code, title: localTitle(m.title, lang), roundId: m.round.id, reported: m.reported, answer: m.answer }]
      : [],
  );
}
