import { beforeEach, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import mongoose, { Types } from 'mongoose';
import { connectMongo } from '../../src/db.js';
import { useTestDatabase } from '../support/mongo.js';
import {
  AuditEntryModel,
  CommitmentModel,
  ContactModel,
  ConversationStateModel,
  MeasureModel,
  PlanModel,
  ReportingRoundModel,
  StatusReportModel,
  type Channel,
} from '../../src/models/index.js';
import { handleStatusEvent } from '../../src/domain/status/status-conversation.js';
import type { FlowRunResult as StatusEventResult } from '../../src/domain/chat/flow-runner.js';
import { myMeasures, renderMyMeasures } from '../../src/domain/status/my-measures.js';
import type { ChatEvent } from '../../src/domain/chat/conversation.js';
import { encodeReminderAction } from '../../src/domain/reminders/reminder-actions.js';
import { t } from '../../src/i18n/index.js';

const db = useTestDatabase();

const now = DateTime.fromISO('2026-01-20T10:00', { zone: 'Europe/Riga' });

interface World {
  anna: Types.ObjectId;
  juris: Types.ObjectId;
  m35: Types.ObjectId;
  m41: Types.ObjectId;
  m63: Types.ObjectId;
  round: Types.ObjectId;
}
let w: World;

/** A plan with three measures, Anna answers for 3.5 and 4.1, Juris for 6.3; one open round. */
beforeEach(async () => {
  await Promise.all(Object.values(mongoose.models).map((model) => model.deleteMany({})));
  const plan = await PlanModel.create({ key: 'lv-nap-5', number: 5, title: { lv: '5. rīcības plāns' }, startYear: 2022, endYear: 2025 });
  const c3 = await CommitmentModel.create({ plan: plan._id, number: 3, title: { lv: 'Atklātība' } });
  const measure = (code: string, order: number, lv: string) =>
    MeasureModel.create({ plan: plan._id, commitment: c3._id, commitmentNumber: 3, code, order, title: { lv, en: `EN ${lv}` } });
  const m35 = await measure('3.5', 3005, 'Atvērtie dati');
  const m41 = await measure('4.1', 4001, 'Lobēšanas atklātība');
  const m63 = await measure('6.3', 6003, 'Līdzdalība pašvaldībās');
  const anna = await ContactModel.create({ name: 'Anna Bērziņa', email: 'anna@vk.gov.lv', measures: [m35._id, m41._id], roles: ['contact_person'] });
  const juris = await ContactModel.create({ name: 'Juris Kalniņš', email: 'juris@varam.gov.lv', measures: [m63._id], language: 'en' });
  const round = await ReportingRoundModel.create({
    plan: plan._id,
    key: '2025',
    title: { lv: 'Progress 2025. gadā', en: 'Progress in 2025' },
    deadline: new Date('2026-02-01T15:00:00Z'),
  });
  w = { anna: anna._id, juris: juris._id, m35: m35._id, m41: m41._id, m63: m63._id, round: round._id };
});

/** As the rounds service closes a round: the open-guard takes the round's own id. */
const closeRound = (id: Types.ObjectId) =>
  ReportingRoundModel.updateOne({ _id: id }, { $set: { state: 'closed', closedAt: now.toJSDate(), openGuard: String(id) } });

/** The "report" button under a reminder of the open round. */
const reportButton = (measure: Types.ObjectId, round = w.round) =>
  encodeReminderAction({ kind: 'report', roundId: String(round), measureId: String(measure) });

function say(contactId: Types.ObjectId, event: ChatEvent, channel: Channel = 'telegram', at = now) {
  return handleStatusEvent({ contactId, channel, event, now: at });
}

function button(result: StatusEventResult, label: string): ChatEvent {
  const found = result.replies.flatMap((r) => r.choices).find((c) => c.label === label);
  if (!found) throw new Error(`no '${label}' in ${JSON.stringify(result.replies)}`);
  expect(found.id.startsWith('sf:') || found.id.startsWith('rm:r:')).toBe(true);
  return { type: 'choice', id: found.id };
}

/** Anna, from /status to the review of a report on 3.5. */
async function annaToReview(note = 'Publicētas 12 datu kopas.', status = 'procesā'): Promise<StatusEventResult> {
  let r = await say(w.anna, { type: 'start' });
  r = await say(w.anna, button(r, '3.5 Atvērtie dati'));
  r = await say(w.anna, button(r, status));
  r = await say(w.anna, { type: 'text', text: note });
  r = await say(w.anna, { type: 'text', text: 'https://data.gov.lv/dati/lv/dataset https://www.vk.gov.lv' });
  expect(r.replies[0]?.text).toMatch(/^Lūdzu, pārbaudiet atbildi:/);
  return r;
}

describe('status conversation service (real MongoDB-wire server)', () => {
  it('refuses the rest of a long paste that Telegram cut into parts, keeping the step, and takes a short note after', async () => {
    const choose = await say(w.anna, { type: 'start' });
    const status = await say(w.anna, button(choose, '3.5 Atvērtie dati'));
    await say(w.anna, button(status, 'procesā'));
    const first = await say(w.anna, { type: 'text', text: 'a'.repeat(4_096) });
    expect([first.outcome, first.reason]).toEqual(['rejected', 'note_too_long']);
    // The second part, a second later: the same paste, not a note of its own.
    const second = await say(w.anna, { type: 'text', text: 'b'.repeat(904) }, 'telegram', now.plus({ seconds: 1 }));
    expect([second.outcome, second.reason]).toEqual(['rejected', 'note_too_long']);
    expect(second.replies[0]?.text).toBe(t('lv', 'error.paste_continued'));
    // Later, a note that fits is taken, and the links are asked next.
    const note = await say(w.anna, { type: 'text', text: 'Publicētas 12 datu kopas.' }, 'telegram', now.plus({ seconds: 30 }));
    expect(note.outcome).toBe('continue');
    expect(await StatusReportModel.countDocuments({ measure: w.m35 })).toBe(0);
    await say(w.anna, { type: 'cancel' }, 'telegram', now.plus({ seconds: 31 }));
  });

  it('stores a whole conversation as a report with status, note and links, before confirming', async () => {
    const review = await annaToReview();
    const done = await say(w.anna, button(review, 'Apstiprināt'));
    expect(done.outcome).toBe('done');
    expect(done.replies[0]?.text).toBe('Saglabāts: pasākums 3.5, statuss „procesā”. Paldies!');

    const report = await StatusReportModel.findOne({ round: w.round, measure: w.m35 }).lean();
    expect(report).toMatchObject({
      status: 'in_progress',
      note: 'Publicētas 12 datu kopas.',
      links: ['https://data.gov.lv/dati/lv/dataset', 'https://www.vk.gov.lv/'],
    });
    expect(String(report?.author)).toBe(String(w.anna));
    expect(report?.revisions).toHaveLength(1);
    expect(report?.revisions[0]).toMatchObject({ status: 'in_progress', channel: 'telegram', at: now.toJSDate() });

    const measure = await MeasureModel.findById(w.m35).lean();
    expect(measure?.currentStatus).toEqual({
      status: 'in_progress',
      note: 'Publicētas 12 datu kopas.',
      asOf: now.toJSDate(),
      source: String(w.round),
    });
    const audit = await AuditEntryModel.find({ subject: `measure:${String(w.m35)}` }).lean();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: String(w.anna), action: 'status_report.saved', details: { status: 'in_progress', revision: 1 } });
    expect(await ConversationStateModel.countDocuments({ contact: w.anna })).toBe(0);

    // Another measure in the same sitting; the one already answered is marked.
    const another = await say(w.anna, button(done, 'Ziņot par citu pasākumu'));
    expect(another.replies[0]?.choices.map((c) => c.label)).toEqual(['3.5 Atvērtie dati ✓', '4.1 Lobēšanas atklātība', 'Atcelt']);
  });

  it('keeps the history when a report is corrected', async () => {
    await say(w.anna, button(await annaToReview(), 'Apstiprināt'));
    const later = now.plus({ days: 2 });
    let r = await say(w.anna, { type: 'choice', id: reportButton(w.m35) }, 'slack', later);
    expect(r.replies[0]?.text).toContain('Pasākums 3.5 „Atvērtie dati”');
    r = await say(w.anna, button(r, 'pabeigts'), 'slack', later);
    r = await say(w.anna, { type: 'text', text: 'Visas 14 datu kopas publicētas.' }, 'slack', later);
    r = await say(w.anna, button(r, 'Bez saitēm'), 'slack', later);
    r = await say(w.anna, button(r, 'Apstiprināt'), 'slack', later);
    expect(r.outcome).toBe('done');

    const report = await StatusReportModel.findOne({ round: w.round, measure: w.m35 }).lean();
    expect(report).toMatchObject({ status: 'completed', note: 'Visas 14 datu kopas publicētas.', links: [] });
    expect(report?.revisions.map((v) => [v.status, v.note, v.links.length, v.channel, v.at])).toEqual([
      ['in_progress', 'Publicētas 12 datu kopas.', 2, 'telegram', now.toJSDate()],
      ['completed', 'Visas 14 datu kopas publicētas.', 0, 'slack', later.toJSDate()],
    ]);
    expect(await StatusReportModel.countDocuments({})).toBe(1);
    expect((await MeasureModel.findById(w.m35).lean())?.currentStatus?.status).toBe('completed');
    expect(await AuditEntryModel.countDocuments({})).toBe(2);
  });

  it('refuses to save into a closed round and writes nothing', async () => {
    const review = await annaToReview();
    const stateBefore = await ConversationStateModel.findOne({ contact: w.anna }).lean();
    await closeRound(w.round);

    const r = await say(w.anna, button(review, 'Apstiprināt'));
    expect(r).toMatchObject({ outcome: 'rejected', reason: 'round_closed' });
    expect(r.replies[0]?.text).toMatch(/^Šī ziņošanas kārta jau ir slēgta/);
    expect(await StatusReportModel.countDocuments({})).toBe(0);
    expect(await AuditEntryModel.countDocuments({})).toBe(0);
    expect((await MeasureModel.findById(w.m35).lean())?.currentStatus).toBeUndefined();
    expect(await ConversationStateModel.findOne({ contact: w.anna }).lean()).toEqual(stateBefore);

    // A new start replaces the dead draft and says there is nothing open.
    const again = await say(w.anna, { type: 'start' });
    expect(again).toMatchObject({ outcome: 'rejected', reason: 'no_open_round' });
  });

  it('resumes at the same step after a restart, from what is in the database only', async () => {
    let r = await say(w.anna, { type: 'start' });
    r = await say(w.anna, button(r, '4.1 Lobēšanas atklātība'));
    const noteQuestion = await say(w.anna, button(r, 'būtisks progress'));
    expect(noteQuestion.replies[0]?.expectsText).toBe(true);

    // The process goes away: a new connection, nothing remembered but MongoDB.
    await mongoose.disconnect();
    await connectMongo(db.uri());

    const resumed = await say(w.anna, { type: 'start' });
    expect(resumed.replies[0]?.text).toMatch(/^Turpinām iesākto\.\n\nPasākums 4\.1/);
    expect(resumed.replies[0]?.expectsText).toBe(true);
    const links = await say(w.anna, { type: 'text', text: 'Likumprojekts iesniegts Saeimā.' });
    expect(links.replies[0]?.choices.map((c) => c.label)).toEqual(['Bez saitēm', 'Atcelt']);
    const state = await ConversationStateModel.findOne({ contact: w.anna, channel: 'telegram' }).lean();
    expect(state).toMatchObject({
      flow: 'status',
      step: 'links',
      data: { draft: { measureId: String(w.m41), status: 'substantial', note: 'Likumprojekts iesniegts Saeimā.' } },
    });
  });

  it('saves once when "confirm" is pressed twice at the same moment', async () => {
    const review = await annaToReview();
    const confirm = button(review, 'Apstiprināt');
    const results = await Promise.all([say(w.anna, confirm), say(w.anna, confirm)]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['done', 'rejected']);
    const report = await StatusReportModel.findOne({ measure: w.m35 }).lean();
    expect(report?.revisions).toHaveLength(1);
  });

  it('keeps both answers when the same measure is confirmed on two channels at once', async () => {
    const reviewOn = async (channel: Channel, note: string) => {
      let r = await say(w.anna, { type: 'choice', id: reportButton(w.m35) }, channel);
      r = await say(w.anna, button(r, 'procesā'), channel);
      r = await say(w.anna, { type: 'text', text: note }, channel);
      return say(w.anna, button(r, 'Bez saitēm'), channel);
    };
    const [telegram, slack] = [await reviewOn('telegram', 'No Telegram.'), await reviewOn('slack', 'No Slack.')];
    const results = await Promise.all([
      say(w.anna, button(telegram, 'Apstiprināt'), 'telegram'),
      say(w.anna, button(slack, 'Apstiprināt'), 'slack'),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['done', 'done']);
    const report = await StatusReportModel.findOne({ measure: w.m35 }).lean();
    expect(report?.revisions.map((v) => v.note).sort()).toEqual(['No Slack.', 'No Telegram.']);
  });

  it('refuses a reminder button of an earlier round', async () => {
    const plan = (await MeasureModel.findById(w.m35).lean())!.plan;
    const oldId = new Types.ObjectId();
    const old = await ReportingRoundModel.create({
      _id: oldId,
      openGuard: String(oldId),
      plan,
      key: '2024',
      title: { lv: 'Progress 2024. gadā' },
      deadline: new Date('2025-02-01T15:00:00Z'),
      state: 'closed',
    });
    const r = await say(w.anna, { type: 'choice', id: reportButton(w.m35, old._id) });
    expect(r).toMatchObject({ outcome: 'rejected', reason: 'round_closed' });

    await closeRound(w.round);
    const none = await say(w.anna, { type: 'choice', id: reportButton(w.m35) });
    expect(none).toMatchObject({ outcome: 'rejected', reason: 'round_closed' });
    expect(await ConversationStateModel.countDocuments({})).toBe(0);
  });

  it('keeps a conversation per channel and refuses buttons of an older one', async () => {
    const telegram = await say(w.anna, { type: 'start' });
    const slack = await say(w.anna, { type: 'start' }, 'slack');
    await say(w.anna, button(slack, '4.1 Lobēšanas atklātība'), 'slack');
    const r = await say(w.anna, button(telegram, '3.5 Atvērtie dati'));
    expect(r.outcome).toBe('continue');
    expect(await ConversationStateModel.countDocuments({ contact: w.anna })).toBe(2);

    await say(w.anna, { type: 'cancel' });
    expect(await ConversationStateModel.countDocuments({ contact: w.anna, channel: 'telegram' })).toBe(0);
    const stale = await say(w.anna, button(r, 'procesā'));
    expect(stale).toMatchObject({ outcome: 'rejected', reason: 'stale' });
  });

  it("refuses another person's measure and an unknown person", async () => {
    const r = await say(w.anna, { type: 'choice', id: reportButton(w.m63) });
    expect(r).toMatchObject({ outcome: 'rejected', reason: 'not_your_measure' });
    expect(await ConversationStateModel.countDocuments({})).toBe(0);

    const stranger = await say(new Types.ObjectId(), { type: 'start' });
    expect(stranger.reason).toBe('unknown_person');
    expect(stranger.replies[0]?.text).toMatch(/Valsts kancelejas koordinatoram[\s\S]*State Chancellery/);
  });

  it('answers an English speaker in English', async () => {
    const r = await say(w.juris, { type: 'start' });
    expect(r.replies[0]?.text).toBe('Measure 6.3 “EN Līdzdalība pašvaldībās”\nWhat is the status of the measure?');
  });

  it('lists a person’s measures with the deadline and the last answer', async () => {
    await say(w.anna, button(await annaToReview(), 'Apstiprināt'));
    const mine = await myMeasures(w.anna);
    expect(mine?.measures.map((m) => [m.code, m.round?.deadline, m.lastAnswer?.status ?? null])).toEqual([
      ['3.5', new Date('2026-02-01T15:00:00Z'), 'in_progress'],
      ['4.1', new Date('2026-02-01T15:00:00Z'), null],
    ]);
    const reply = renderMyMeasures(mine!);
    expect(reply.text).toBe(
      'Jums ir 2 pasākumi:\n\n' +
        '3.5 Atvērtie dati\nTermiņš: 2026. gada 1. februāris\nPēdējā atbilde: procesā (2026. gada 20. janvāris)\n\n' +
        '4.1 Lobēšanas atklātība\nTermiņš: 2026. gada 1. februāris\nPēdējā atbilde: vēl nav',
    );
    expect(reply.choices.map((c) => c.label)).toEqual(['Ziņot: 3.5', 'Ziņot: 4.1']);
    const fromList = await say(w.anna, { type: 'choice', id: reply.choices[1]!.id });
    expect(fromList.replies[0]?.text).toContain('Pasākums 4.1');
    expect(await myMeasures(new Types.ObjectId())).toBeNull();
  });
});
