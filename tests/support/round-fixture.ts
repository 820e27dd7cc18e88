import type { Types } from 'mongoose';
import { CommitmentModel, ContactModel, MeasureModel, PlanModel, ReminderStateModel, StatusReportModel, type MeasureStatus } from '../../src/models/index.js';
import { openRound } from '../../src/domain/rounds/rounds.js';

/** When the fixture's round was opened (and its replies given), and a moment after its deadline. */
export const openedAt = new Date('2025-12-01T10:00:00Z');
export const afterDeadline = new Date('2026-02-03T10:00:00Z');

export interface RoundFixtureOptions {
  /** Commitment 2's Latvian title (a long one shows how titles are cut). */
  commitment2Title: string;
  roundTitle: { lv: string; en: string };
  /** The links of each reply, by measure code; none where left out. */
  links?: Partial<Record<string, string[]>>;
}

/**
 * Plan nap-5, round 2025 (deadline 2026-02-01), two commitments, seven measures. Commitment 1: 1.1
 * not started, 1.2 in progress, 1.3 delayed (counts as in progress), 1.4 no reply (overdue; owned
 * by Ilze and Juris, who said "not mine"). Commitment 2: 2.1 completed, 2.2 substantial, 2.3
 * cancelled in the plan and not answered. Anna (VK) answered the rest; the notes hold the
 * characters the exports must escape (a pipe, a line break, a formula, markup).
 */
/** Returns the round's id. */
export async function seedRoundFixture(options: RoundFixtureOptions): Promise<string> {
  const ids: Record<string, Types.ObjectId> = {};
  const plan = await PlanModel.create({ key: 'nap-5', number: 5, title: { lv: '5. plāns', en: '5th plan' }, startYear: 2022, endYear: 2025 });
  const c1 = await CommitmentModel.create({ plan: plan._id, number: 1, title: { lv: 'Atklātums', en: 'Openness' } });
  const c2 = await CommitmentModel.create({ plan: plan._id, number: 2, title: { lv: options.commitment2Title, en: 'Participation' } });
  const codes = ['1.1', '1.2', '1.3', '1.4', '2.1', '2.2', '2.3'];
  for (const [i, code] of codes.entries()) {
    const commitment = code.startsWith('1.') ? c1 : c2;
    const m = await MeasureModel.create({
      plan: plan._id,
      commitment: commitment._id,
      commitmentNumber: commitment.number,
      code,
      order: i + 1,
      title: { lv: `Pasākums ${code}`, en: `Measure ${code}` },
      institutions: [code === '1.4' ? 'VARAM' : 'VK'],
      ...(code === '2.3' ? { currentStatus: { status: 'cancelled', asOf: openedAt, source: 'import' } } : {}),
    });
    ids[code] = m._id;
  }
  const anna = await ContactModel.create({ name: 'Anna Ozola', email: 'anna@vk.example', institution: 'VK', measures: codes.filter((c) => c !== '1.4').map((c) => ids[c]) });
  const juris = await ContactModel.create({ name: 'Juris Kalns', email: 'juris@varam.example', institution: 'VARAM', measures: [ids['1.4']] });
  await ContactModel.create({ name: 'Ilze Liepa', email: 'ilze@varam.example', institution: 'VARAM', measures: [ids['1.4']] });
  const opened = await openRound({ planKey: 'nap-5', key: '2025', title: options.roundTitle, deadlineDate: '2026-02-01', actor: 'cli', now: openedAt });
  if (!opened.ok) throw new Error(opened.error.message.en);
  const replies: [string, MeasureStatus, string][] = [
    ['1.1', 'not_started', 'Sāksim 2026. gadā'],
    ['1.2', 'in_progress', 'Notiek darbs | 2 posmi\notrā rindā'],
    ['1.3', 'delayed', '=HYPERLINK("http://x")'],
    ['2.1', 'completed', 'Pabeigts, sk. ziņojumu'],
    ['2.2', 'substantial', 'Būtisks <b>progress</b>'],
  ];
  for (const [code, status, note] of replies) {
    await StatusReportModel.create({
      round: opened.round._id,
      measure: ids[code],
      status,
      note,
      links: options.links?.[code] ?? [],
      author: anna._id,
      revisions: [{ status, note, author: anna._id, at: openedAt }],
    });
  }
  await ReminderStateModel.create({ round: opened.round._id, measure: ids['1.4'], contact: juris._id, declinedAt: openedAt });
  return String(opened.round._id);
}
