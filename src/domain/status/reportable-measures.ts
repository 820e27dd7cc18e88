import { Types } from 'mongoose';
import { StatusReportModel, type Contact, type Language } from '../../models/index.js';
import { planData, type OpenRound, type PlanData } from '../plan/plan-cache.js';
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
}

/**
 * The contact's measures in plan order, each with its plan's open round. When a plan has more
 * than one open round, the one with the earliest deadline is the one being answered. Measures and
 * rounds come from the plan cache (plan-cache.ts; `plan` is there for tests that stand in for
 * another process); the "reported" marks change with every report and are read each time, unless
 * `answers: false` says the caller will not show them (no marks, no answers then).
 */
export async function loadOwnedMeasures(
  contact: Pick<Contact, 'measures'>,
  plan: () => Promise<PlanData> = planData,
  options: { answers?: boolean } = {},
): Promise<OwnedMeasure[]> {
  if (contact.measures.length === 0) return [];
  const { measures: all, openRounds } = await plan();
  const owned = new Set(contact.measures.map(String));
  const measures = [...all.values()].filter((m) => owned.has(m.id));
  const roundOfPlan = new Map<string, OpenRound>();
  for (const round of openRounds) if (!roundOfPlan.has(round.planId)) roundOfPlan.set(round.planId, round);
  const answering = [...new Set(measures.map((m) => m.planId))].flatMap((id) => roundOfPlan.get(id) ?? []);

  const answered = new Map<string, ReportedAnswer>();
  if (answering.length > 0 && options.answers !== false) {
    const reports = await StatusReportModel.find(
      { round: { $in: answering.map((r) => new Types.ObjectId(r.id)) }, measure: { $in: measures.map((m) => new Types.ObjectId(m.id)) } },
      { round: 1, measure: 1, status: 1, note: 1, links: 1 },
    ).lean();
    for (const r of reports) answered.set(`${String(r.round)}:${String(r.measure)}`, { status: r.status, note: r.note ?? '', links: [...(r.links ?? [])] });
  }

  return measures.map((m) => {
    const round = roundOfPlan.get(m.planId);
    const answer = round ? answered.get(`${round.id}:${m.id}`) : undefined;
    return {
      id: m.id,
      planId: m.planId,
      code: m.code,
      title: { ...m.title },
      round: round ? { id: round.id, key: round.key, title: { ...round.title }, deadline: round.deadline, timeZone: round.timeZone } : null,
      reported: answer !== undefined,
      answer,
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
