import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from 'vitest';
import { DateTime } from 'luxon';
import type { Types } from 'mongoose';
import {
  ChannelIdentityModel,
  CommitmentModel,
  ContactModel,
  DeliveryModel,
  MeasureModel,
  PlanModel,
  ReminderStateModel,
  ReportingRoundModel,
  StatusReportModel,
} from '../../src/models/index.js';
import { closeRound, extendRound, openRound } from '../../src/domain/rounds/rounds.js';
import { snoozeReminder } from '../../src/domain/reminders/reminder-answers.js';
import { parseReminderAction } from '../../src/domain/reminders/reminder-actions.js';
import { REMINDER_SCHEDULER_ID, declineMeasureVia, reconcileReminders, startReminderScheduler } from '../../src/jobs/reminder-scheduler.js';
import { createOutbox, type Outbox } from '../../src/jobs/outbox.js';
import { createRedis } from '../../src/redis.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';

useTestDatabase();

const zone = 'Europe/Riga';
const at = (iso: string) => DateTime.fromISO(iso, { zone });
let redis: ReturnType<typeof createRedis>;
let outbox: Outbox;

beforeAll(() => {
  redis = createRedis(inject('redisUrl'));
  outbox = createOutbox({ connection: redis, prefix: uniquePrefix() });
});
// Each test's round and people are the only active ones while it runs, so counts are its own.
afterEach(async () => {
  for (const round of await ReportingRoundModel.find({ state: 'open' }, { _id: 1 }).lean()) {
    await closeRound({ roundId: round._id }, 'test');
  }
  // Coordinators are everybody's; the next test brings its own.
  await ContactModel.updateMany({}, { $set: { active: false } });
});
afterAll(async () => {
  await outbox.close();
  await redis.quit();
});

interface World {
  roundId: string;
  m1: Types.ObjectId;
  m2: Types.ObjectId;
  anna: Types.ObjectId;
  juris: Types.ObjectId;
  ilze: Types.ObjectId;
}

let counter = 0;
/**
 * A plan of two measures. Anna (lv, Telegram and Slack) owns 1.1; Juris (en, Telegram) owns 1.1
 * and 1.2; Ilze is the coordinator (Telegram). Deadline Friday 13 February 2026, default policy:
 * d-14 Fri 30 Jan, d-7 Fri 6 Feb, d-2 Wed 11 Feb, d-0 Fri 13 Feb, overdue-1 Wed 18 Feb,
 * overdue-2 (tells the coordinator) Mon 23 Feb; all at 09.00 Riga time.
 */
async function world(planKey: string, deadlineDate = '2026-02-13'): Promise<World> {
  counter += 1;
  const n = counter;
  const plan = await PlanModel.create({ key: planKey, number: 5, title: { lv: 'Plāns', en: 'Plan' }, startYear: 2022, endYear: 2025 });
  const c = await CommitmentModel.create({ plan: plan._id, number: 1, title: { lv: 'Atklātums' } });
  const measure = (code: string, order: number) =>
    MeasureModel.create({ plan: plan._id, commitment: c._id, commitmentNumber: 1, code, order, title: { lv: `Pasākums ${code}`, en: `Measure ${code}` } });
  const m1 = await measure('1.1', 1);
  const m2 = await measure('1.2', 2);
  const anna = await ContactModel.create({ name: 'Anna Ozola', email: `anna${n}@vk.example`, institution: 'VK', language: 'lv', measures: [m1._id] });
  const juris = await ContactModel.create({ name: 'Juris Kalns', email: `juris${n}@varam.example`, institution: 'VARAM', language: 'en', measures: [m1._id, m2._id] });
  const ilze = await ContactModel.create({ name: 'Ilze Liepa', email: `ilze${n}@vk.example`, institution: 'VK', roles: ['coordinator'] });
  await ChannelIdentityModel.create([
    { contact: anna._id, channel: 'telegram', externalId: `a${n}`, address: `tg-anna-${n}` },
    { contact: anna._id, channel: 'slack', externalId: `UA${n}`, address: `D-anna-${n}` },
    { contact: juris._id, channel: 'telegram', externalId: `j${n}`, address: `tg-juris-${n}` },
    { contact: ilze._id, channel: 'telegram', externalId: `i${n}`, address: `tg-ilze-${n}` },
  ]);
  const opened = await openRound({ planKey, key: '2025', title: { lv: 'Progress', en: 'Progress' }, deadlineDate, actor: 'test', now: at('2026-01-20T10:00').toJSDate() });
  if (!opened.ok) throw new Error(opened.error.message.en);
  return { roundId: String(opened.round._id), m1: m1._id, m2: m2._id, anna: anna._id, juris: juris._id, ilze: ilze._id };
}

/** Keys of the round's reminder deliveries, without the round id, sorted. */
async function reminderKeys(w: World): Promise<string[]> {
  const docs = await DeliveryModel.find({ key: { $regex: `^reminder:${w.roundId}:` } }, { key: 1 }).lean();
  const name = (id: string) => (id === String(w.m1) ? 'm1' : id === String(w.m2) ? 'm2' : id === String(w.anna) ? 'anna' : id === String(w.juris) ? 'juris' : id);
  return docs
    .map((d) => d.key.split(':').slice(2))
    .map(([dKey, measure, contact, step, channel]) => `${dKey} ${name(measure!)} ${name(contact!)} ${step} ${channel}`)
    .sort();
}

const tick = (iso: string) => reconcileReminders({ now: at(iso), outbox });

describe('reminder scheduler', () => {
  it('turns due reminder steps into deliveries, once, in office hours only', async () => {
    const w = await world('nap-steps');
    expect((await tick('2026-01-29T10:00')).created).toBe(0);
    expect((await tick('2026-01-30T08:59')).created).toBe(0);
    expect(await tick('2026-01-30T09:00')).toMatchObject({ created: 4, problems: 0 });
    expect(await reminderKeys(w)).toEqual([
      '2026-02-13 m1 anna d-14 slack',
      '2026-02-13 m1 anna d-14 telegram',
      '2026-02-13 m1 juris d-14 telegram',
      '2026-02-13 m2 juris d-14 telegram',
    ]);
    expect((await tick('2026-01-30T09:01')).created).toBe(0);
    expect((await tick('2026-02-02T11:00')).created).toBe(0);

    const annaTelegram = await DeliveryModel.findOne({ key: { $regex: `^reminder:${w.roundId}:.*:${String(w.anna)}:d-14:telegram$` } }).lean();
    expect(annaTelegram).toMatchObject({ purpose: 'reminder', priority: 'reminder', channel: 'telegram', address: 'tg-anna-1' });
    expect(annaTelegram?.contact?.equals(w.anna)).toBe(true);
    expect(annaTelegram?.text).toBe('Atgādinājums: līdz 13.02.2026. jāiesniedz pasākuma 1.1 „Pasākums 1.1” progress. Atbildēt var šeit, dažos klikšķos.');
    expect(annaTelegram?.choices.map((c) => c.label)).toEqual(['Ziņot statusu', 'Atgādināt rīt', 'Nav mans pasākums']);
    expect(annaTelegram?.choices.map((c) => parseReminderAction(c.id))).toEqual(
      (['report', 'snooze', 'decline'] as const).map((kind) => ({ kind, roundId: w.roundId, measureId: String(w.m1) })),
    );
    for (const c of annaTelegram?.choices ?? []) expect(Buffer.byteLength(c.id)).toBeLessThanOrEqual(64);
    const jurisText = (await DeliveryModel.findOne({ key: { $regex: `:${String(w.m2)}:${String(w.juris)}:d-14:telegram$` } }).lean())?.text;
    expect(jurisText).toContain('Reminder:');
    expect(jurisText).toContain('Measure 1.2');

    // A scheduler that was down for a week sends the latest step only, not the missed ones.
    expect(await tick('2026-02-11T15:00')).toMatchObject({ created: 4 });
    expect((await reminderKeys(w)).filter((k) => k.includes('d-7'))).toEqual([]);
    expect((await reminderKeys(w)).filter((k) => k.includes('d-2'))).toHaveLength(4);
  });

  it('gives one delivery per reminder when two reconciles run at once', async () => {
    const w = await world('nap-race');
    const results = await Promise.all([tick('2026-02-06T09:30'), tick('2026-02-06T09:30'), tick('2026-02-06T09:31')]);
    expect(results.reduce((sum, r) => sum + r.created, 0)).toBe(4);
    expect(await reminderKeys(w)).toHaveLength(4);
    expect(await DeliveryModel.countDocuments({ key: { $regex: `^reminder:${w.roundId}:` } })).toBe(4);
  });

  it('stops reminding for a reported measure, snoozes, and tells the coordinators about "not mine"', async () => {
    const w = await world('nap-answers');
    await tick('2026-02-11T09:00');
    await StatusReportModel.create({ round: w.roundId, measure: w.m2, status: 'in_progress', note: 'Notiek', author: w.juris });
    expect(await tick('2026-02-13T09:00')).toMatchObject({ created: 3 });
    expect((await reminderKeys(w)).filter((k) => k.includes('d-0'))).toEqual([
      '2026-02-13 m1 anna d-0 slack',
      '2026-02-13 m1 anna d-0 telegram',
      '2026-02-13 m1 juris d-0 telegram',
    ]);

    // Juris: "remind me tomorrow" on Friday → Monday 09.00, the next working day.
    const snoozed = await snoozeReminder({ roundId: w.roundId, measureId: String(w.m1), contactId: String(w.juris), now: at('2026-02-13T10:00') });
    expect(snoozed.ok && snoozed.until.toISO()).toBe('2026-02-16T09:00:00.000+02:00');
    expect((await tick('2026-02-16T08:59')).created).toBe(0);
    expect(await tick('2026-02-16T09:00')).toMatchObject({ created: 1 });
    const snoozeKey = (await reminderKeys(w)).filter((k) => k.includes('snooze'));
    expect(snoozeKey).toEqual(['2026-02-13 m1 juris snooze-2026-02-16 telegram']);
    const afterSnooze = await DeliveryModel.findOne({ key: { $regex: 'snooze-2026-02-16' }, contact: w.juris }).lean();
    expect(afterSnooze?.text).toContain('The deadline (13 Feb 2026) has passed');

    // Anna: "not my measure" → the coordinator hears it once, Anna hears no more about 1.1.
    const decline = () => declineMeasureVia(outbox, { roundId: w.roundId, measureId: String(w.m1), contactId: String(w.anna), now: at('2026-02-16T10:00') });
    expect(await decline()).toMatchObject({ ok: true, measureCode: '1.1', coordinatorsTold: 1 });
    expect(await decline()).toMatchObject({ ok: true });
    const notices = await DeliveryModel.find({ purpose: 'reminder.declined', contact: w.ilze }).lean();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ channel: 'telegram', address: 'tg-ilze-3', priority: 'notice' });
    expect(notices[0]?.text).toContain('Anna Ozola (VK)');
    expect(notices[0]?.text).toContain('1.1');
    expect(await ReminderStateModel.countDocuments({ round: w.roundId, contact: w.anna, declinedAt: { $exists: true } })).toBe(1);

    expect(await tick('2026-02-18T09:00')).toMatchObject({ created: 1 });
    expect((await reminderKeys(w)).filter((k) => k.includes('overdue-1'))).toEqual(['2026-02-13 m1 juris overdue-1 telegram']);

    // The second overdue reminder also tells the coordinator, once per measure.
    expect(await tick('2026-02-23T09:00')).toMatchObject({ created: 2 });
    const overdueNotice = await DeliveryModel.find({ purpose: 'reminder.coordinator', contact: w.ilze }).lean();
    expect(overdueNotice.map((d) => d.key)).toEqual([`overdue-notice:${w.roundId}:2026-02-13:${String(w.m1)}:${String(w.ilze)}:telegram`]);
    expect(overdueNotice[0]).toMatchObject({ priority: 'notice' });
    expect(overdueNotice[0]?.text).toContain('Juris Kalns (VARAM)');
    expect(overdueNotice[0]?.text).not.toContain('Anna');
    expect((await tick('2026-02-23T09:05')).created).toBe(0);
  });

  it('refuses answers from somebody else or for a closed round', async () => {
    const w = await world('nap-refuse');
    const now = at('2026-02-02T10:00');
    expect(await snoozeReminder({ roundId: w.roundId, measureId: String(w.m2), contactId: String(w.anna), now })).toEqual({ ok: false, reason: 'not_owner' });
    expect(await snoozeReminder({ roundId: 'x', measureId: String(w.m2), contactId: String(w.anna), now })).toEqual({ ok: false, reason: 'unknown' });
    await closeRound({ roundId: w.roundId }, 'test', now.toJSDate());
    expect(await snoozeReminder({ roundId: w.roundId, measureId: String(w.m1), contactId: String(w.anna), now })).toEqual({ ok: false, reason: 'round_closed' });
    expect((await tick('2026-02-06T09:00')).created).toBe(0);
    expect(await reminderKeys(w)).toEqual([]);
  });

  it('starts over under new keys when the deadline moves, without repeating a reminder just sent', async () => {
    const w = await world('nap-move');
    await tick('2026-02-06T09:00');
    expect(await reminderKeys(w)).toHaveLength(4);
    // Moved a week later the same morning: the new d-14 (6 Feb) was as good as sent by the old d-7.
    const moved = await extendRound({ roundId: w.roundId }, '2026-02-20', 'test', at('2026-02-06T11:00').toJSDate());
    expect(moved.ok).toBe(true);
    expect((await tick('2026-02-06T11:05')).created).toBe(0);
    expect((await tick('2026-02-11T09:00')).created).toBe(0);
    expect(await tick('2026-02-13T09:00')).toMatchObject({ created: 4 });
    const keys = await reminderKeys(w);
    expect(keys.filter((k) => k.startsWith('2026-02-20'))).toEqual([
      '2026-02-20 m1 anna d-7 slack',
      '2026-02-20 m1 anna d-7 telegram',
      '2026-02-20 m1 juris d-7 telegram',
      '2026-02-20 m2 juris d-7 telegram',
    ]);
    expect(keys.filter((k) => k.startsWith('2026-02-13'))).toHaveLength(4);
    const text = (await DeliveryModel.findOne({ key: { $regex: `2026-02-20:${String(w.m1)}:${String(w.anna)}:d-7:telegram$` } }).lean())?.text;
    expect(text).toContain('līdz 20.02.2026.');
    expect((await tick('2026-02-13T09:30')).created).toBe(0);
  });

  it('ticks every interval through a BullMQ job scheduler, once even when started twice', async () => {
    const w = await world('nap-bullmq');
    const prefix = uniquePrefix();
    const clock = () => at('2026-01-30T09:30');
    const first = await startReminderScheduler({ connection: redis, prefix, outbox, now: clock, everyMs: 300 });
    const second = await startReminderScheduler({ connection: redis, prefix, outbox, now: clock, everyMs: 300 });
    try {
      expect(await first.queue.getJobSchedulersCount()).toBe(1);
      const deadline = Date.now() + 15_000;
      while ((await reminderKeys(w)).length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      // Let a few more ticks run on both workers: nothing new may appear.
      await new Promise((r) => setTimeout(r, 1000));
      expect(await reminderKeys(w)).toHaveLength(4);
    } finally {
      await first.queue.removeJobScheduler(REMINDER_SCHEDULER_ID);
      await first.close();
      await second.close();
    }
  });
});
