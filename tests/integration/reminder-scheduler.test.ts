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
} from '../../src/models/index.js';
import { closeRound, extendRound, openRound } from '../../src/domain/rounds/rounds.js';
import { snoozeReminder } from '../../src/domain/reminders/reminder-answers.js';
import { parseReminderAction } from '../../src/domain/reminders/reminder-actions.js';
import { overdueNoticeKey, parseReminderKey, reminderKey } from '../../src/domain/delivery-keys.js';
import { handleInbound, type InboundResult } from '../../src/domain/chat/router.js';
import { REMINDER_SCHEDULER_ID, reconcileReminders, startReminderScheduler } from '../../src/jobs/reminder-scheduler.js';
import { createOutbox, produceDeliveries, type Outbox } from '../../src/jobs/outbox.js';
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
  n: number;
  roundId: string;
  m1: Types.ObjectId;
  m2: Types.ObjectId;
  m3: Types.ObjectId;
  anna: Types.ObjectId;
  juris: Types.ObjectId;
  ilze: Types.ObjectId;
}

let counter = 0;
/**
 * A plan of three measures. Anna (lv, Telegram and Slack) owns 1.1; Juris (en, Telegram) owns 1.1,
 * 1.2 and 1.3; Ilze is the coordinator (Telegram, lv). Deadline Friday 13 February 2026, default
 * policy: d-14 Fri 30 Jan, d-7 Fri 6 Feb, d-2 Wed 11 Feb, d-0 Fri 13 Feb, overdue-1 Wed 18 Feb,
 * overdue-2 (tells the coordinator) Mon 23 Feb; all at 09.00 Riga time.
 */
async function world(planKey: string, deadlineDate = '2026-02-13'): Promise<World> {
  counter += 1;
  const n = counter;
  const plan = await PlanModel.create({ key: planKey, number: 5, title: { lv: 'Plāns', en: 'Plan' }, startYear: 2022, endYear: 2025 });
  const c = await CommitmentModel.create({ plan: plan._id, number: 1, title: { lv: 'Atklātums' } });
  const measure = (code: string, order: number) =>
    MeasureModel.create({ plan: plan._id, commitment: c._id, commitmentNumber: 1, code, order, title: { lv: `Pasākums ${code}`, en: `Measure ${code}` } });
  // Created out of order: messages list them in the plan's order all the same.
  const m3 = await measure('1.3', 3);
  const m1 = await measure('1.1', 1);
  const m2 = await measure('1.2', 2);
  const anna = await ContactModel.create({ name: 'Anna Ozola', email: `anna${n}@vk.example`, institution: 'VK', language: 'lv', measures: [m1._id] });
  const juris = await ContactModel.create({
    name: 'Juris Kalns',
    email: `juris${n}@varam.example`,
    institution: 'VARAM',
    language: 'en',
    measures: [m3._id, m1._id, m2._id],
  });
  const ilze = await ContactModel.create({ name: 'Ilze Liepa', email: `ilze${n}@vk.example`, institution: 'VK', roles: ['coordinator'] });
  await ChannelIdentityModel.create([
    { contact: anna._id, channel: 'telegram', externalId: `a${n}`, address: `tg-anna-${n}` },
    { contact: anna._id, channel: 'slack', externalId: `UA${n}`, address: `D-anna-${n}` },
    { contact: juris._id, channel: 'telegram', externalId: `j${n}`, address: `tg-juris-${n}` },
    { contact: ilze._id, channel: 'telegram', externalId: `i${n}`, address: `tg-ilze-${n}` },
  ]);
  const opened = await openRound({ planKey, key: '2025', title: { lv: 'Progress', en: 'Progress' }, deadlineDate, actor: 'test', now: at('2026-01-20T10:00').toJSDate() });
  if (!opened.ok) throw new Error(opened.error.message.en);
  return { n, roundId: String(opened.round._id), m1: m1._id, m2: m2._id, m3: m3._id, anna: anna._id, juris: juris._id, ilze: ilze._id };
}

function namer(w: World) {
  const names = new Map([w.m1, w.m2, w.m3, w.anna, w.juris, w.ilze].map((id, i) => [String(id), ['m1', 'm2', 'm3', 'anna', 'juris', 'ilze'][i]!]));
  return (id: unknown) => names.get(String(id)) ?? String(id);
}

/** The round's reminders as `<deadline> <person> <step> <channel>[ #part] <measures listed>`, sorted. */
async function reminderRows(w: World): Promise<string[]> {
  const name = namer(w);
  const docs = await DeliveryModel.find({ key: { $regex: `^reminder:${w.roundId}:` } }, { key: 1, measures: 1 }).lean();
  return docs
    .map((d) => {
      const k = parseReminderKey(d.key);
      if (!k) throw new Error(`unreadable reminder key ${d.key}`);
      const part = k.part > 1 ? ` #${k.part}` : '';
      return `${k.deadlineKey} ${name(k.contactId)} ${k.stepId} ${k.channel}${part} ${(d.measures ?? []).map(name).join(',')}`;
    })
    .sort();
}

const tick = (iso: string) => reconcileReminders({ now: at(iso), outbox, digests: false });

const reminderTo = (w: World, contact: Types.ObjectId, step: string) =>
  DeliveryModel.findOne({ key: { $regex: `^reminder:${w.roundId}:[^:]+:${String(contact)}:${step}:telegram` }, contact }).sort({ key: -1 }).orFail().lean();

/** Juris presses a button under a message he got, as the Telegram adapter hands it to the router. */
async function jurisPresses(w: World, message: { choices: { id: string; label: string }[] }, label: string, iso: string): Promise<InboundResult> {
  const choice = message.choices.find((c) => c.label === label);
  if (!choice) throw new Error(`no '${label}' in ${message.choices.map((c) => c.label).join(', ')}`);
  return handleInbound(
    { channel: 'telegram', externalId: `j${w.n}`, address: `tg-juris-${w.n}`, commandPrefix: '/', now: at(iso).toJSDate() },
    { type: 'choice', id: choice.id },
    { produce: (messages) => produceDeliveries(outbox, messages) },
  );
}

describe('reminder scheduler', () => {
  it('sends one message per person, step and channel listing every measure due, once, in office hours only', async () => {
    const w = await world('nap-steps');
    expect((await tick('2026-01-29T10:00')).created).toBe(0);
    expect((await tick('2026-01-30T08:59')).created).toBe(0);
    expect(await tick('2026-01-30T09:00')).toMatchObject({ created: 3, problems: 0 });
    expect(await reminderRows(w)).toEqual([
      '2026-02-13 anna d-14 slack m1',
      '2026-02-13 anna d-14 telegram m1',
      '2026-02-13 juris d-14 telegram m1,m2,m3',
    ]);
    expect((await tick('2026-01-30T09:01')).created).toBe(0);
    expect((await tick('2026-02-02T11:00')).created).toBe(0);

    // One measure: it reads as it always did.
    const anna = await reminderTo(w, w.anna, 'd-14');
    expect(anna).toMatchObject({ purpose: 'reminder', priority: 'reminder', channel: 'telegram', address: `tg-anna-${w.n}` });
    expect(anna.contact?.equals(w.anna)).toBe(true);
    expect(anna.text).toBe('Atgādinājums: līdz 13.02.2026. jāiesniedz pasākuma 1.1 „Pasākums 1.1” progress. Atbildēt var šeit, dažos klikšķos.');
    expect(anna.choices.map((c) => c.label)).toEqual(['Ziņot statusu', 'Atgādināt rīt', 'Nav mans pasākums']);
    expect(anna.choices.map((c) => parseReminderAction(c.id))).toEqual([
      { kind: 'report', roundId: w.roundId, measureId: String(w.m1) },
      { kind: 'snooze', roundId: w.roundId },
      { kind: 'decline', roundId: w.roundId, measureId: String(w.m1) },
    ]);

    // Three measures: one message, the deadline once, a report and a not-mine button each, one tomorrow.
    const juris = await reminderTo(w, w.juris, 'd-14');
    expect(juris.text).toBe(
      'Reminder: progress on these measures is due by 13 Feb 2026:\n• 1.1 “Measure 1.1”\n• 1.2 “Measure 1.2”\n• 1.3 “Measure 1.3”\nYou can answer here in a few taps.',
    );
    expect(juris.choices.map((c) => c.label)).toEqual(['Report: 1.1', 'Report: 1.2', 'Report: 1.3', 'Remind me tomorrow', 'Not mine: 1.1', 'Not mine: 1.2', 'Not mine: 1.3']);
    const name = namer(w);
    expect(juris.choices.map((c) => parseReminderAction(c.id)).map((a) => `${a?.kind} ${a?.measureId ? name(a.measureId) : '-'}`)).toEqual([
      'report m1',
      'report m2',
      'report m3',
      'snooze -',
      'decline m1',
      'decline m2',
      'decline m3',
    ]);
    for (const c of [...anna.choices, ...juris.choices]) expect(Buffer.byteLength(c.id)).toBeLessThanOrEqual(64);

    // A scheduler that was down for a week sends the latest step only, not the missed ones.
    expect(await tick('2026-02-11T15:00')).toMatchObject({ created: 3 });
    expect((await reminderRows(w)).filter((k) => k.includes('d-7'))).toEqual([]);
    expect((await reminderRows(w)).filter((k) => k.includes('d-2'))).toEqual([
      '2026-02-13 anna d-2 slack m1',
      '2026-02-13 anna d-2 telegram m1',
      '2026-02-13 juris d-2 telegram m1,m2,m3',
    ]);
  });

  it('gives one message per person and step when two reconciles run at once, and none when run again', async () => {
    const w = await world('nap-race');
    const results = await Promise.all([tick('2026-02-06T09:30'), tick('2026-02-06T09:30'), tick('2026-02-06T09:31')]);
    expect(results.reduce((sum, r) => sum + r.created, 0)).toBe(3);
    expect(await reminderRows(w)).toEqual(['2026-02-13 anna d-7 slack m1', '2026-02-13 anna d-7 telegram m1', '2026-02-13 juris d-7 telegram m1,m2,m3']);
    expect(await Promise.all([tick('2026-02-06T10:00'), tick('2026-02-06T10:00')])).toMatchObject([{ created: 0 }, { created: 0 }]);
    expect(await DeliveryModel.countDocuments({ key: { $regex: `^reminder:${w.roundId}:` } })).toBe(3);
  });

  it('"remind me tomorrow" snoozes every measure listed; "not mine" on one leaves the others; the coordinator gets one notice for all', async () => {
    const w = await world('nap-answers');
    expect(await tick('2026-02-13T09:00')).toMatchObject({ created: 3 });
    const dayZero = await reminderTo(w, w.juris, 'd-0');
    expect(dayZero.measures?.map(namer(w))).toEqual(['m1', 'm2', 'm3']);

    // Friday → Monday 09.00, the next working day, for all three.
    const snoozed = await jurisPresses(w, dayZero, 'Remind me tomorrow', '2026-02-13T10:00');
    expect(snoozed.replies.map((r) => r.text)).toEqual(['OK, we will remind you tomorrow.']);
    const states = await ReminderStateModel.find({ round: w.roundId, contact: w.juris }).lean();
    expect(states.map((s) => [namer(w)(s.measure), s.snoozedUntil?.toISOString()]).sort()).toEqual([
      ['m1', '2026-02-16T07:00:00.000Z'],
      ['m2', '2026-02-16T07:00:00.000Z'],
      ['m3', '2026-02-16T07:00:00.000Z'],
    ]);
    expect((await tick('2026-02-16T08:59')).created).toBe(0);
    expect(await tick('2026-02-16T09:00')).toMatchObject({ created: 1 });
    expect((await reminderRows(w)).filter((k) => k.includes('snooze'))).toEqual(['2026-02-13 juris snooze-2026-02-16 telegram m1,m2,m3']);
    const afterSnooze = await reminderTo(w, w.juris, 'snooze-2026-02-16');
    expect(afterSnooze.text).toMatch(/^The deadline \(13 Feb 2026\) has passed, but progress on these measures has not arrived yet:\n• 1\.1/);

    // "Not mine" for 1.2: the coordinator hears it once; the answer offers the other two again.
    const handedOver = await jurisPresses(w, afterSnooze, 'Not mine: 1.2', '2026-02-16T10:00');
    expect(handedOver.replies[0]?.text).toBe('Thank you! We will tell the coordinator that measure 1.2 is not yours.');
    expect(handedOver.replies[0]?.choices.map((c) => c.label)).toEqual(['Report: 1.1', 'Report: 1.3', 'Remind me tomorrow', 'Not mine: 1.1', 'Not mine: 1.3']);
    const declined = await DeliveryModel.find({ purpose: 'reminder.declined', contact: w.ilze }).lean();
    expect(declined).toHaveLength(1);
    expect(declined[0]).toMatchObject({ channel: 'telegram', address: `tg-ilze-${w.n}`, priority: 'notice' });
    expect(declined[0]?.text).toContain('Juris Kalns (VARAM)');
    expect(declined[0]?.text).toContain('1.2');

    expect(await tick('2026-02-18T09:00')).toMatchObject({ created: 3 });
    expect((await reminderRows(w)).filter((k) => k.includes('overdue-1'))).toEqual([
      '2026-02-13 anna overdue-1 slack m1',
      '2026-02-13 anna overdue-1 telegram m1',
      '2026-02-13 juris overdue-1 telegram m1,m3',
    ]);

    // The second overdue reminder tells the coordinator: one message for every measure, with its owners.
    expect(await tick('2026-02-23T09:00')).toMatchObject({ created: 4 });
    const notices = await DeliveryModel.find({ purpose: 'reminder.coordinator', contact: w.ilze }).lean();
    expect(notices.map((d) => d.key)).toEqual([`overdue-notice:${w.roundId}:2026-02-13:${String(w.ilze)}:overdue-2:telegram`]);
    expect(notices[0]).toMatchObject({ priority: 'notice', address: `tg-ilze-${w.n}` });
    expect(notices[0]?.measures?.map(namer(w))).toEqual(['m1', 'm3']);
    expect(notices[0]?.text).toBe(
      'Termiņš (13.02.2026.) ir pagājis, bet šo pasākumu progress nav saņemts:\n' +
        '• 1.1 „Pasākums 1.1”. Atbildīgie: Anna Ozola (VK), Juris Kalns (VARAM).\n' +
        '• 1.3 „Pasākums 1.3”. Atbildīgie: Juris Kalns (VARAM).',
    );
    expect((await tick('2026-02-23T09:05')).created).toBe(0);
    expect((await tick('2026-02-24T09:00')).created).toBe(0);
  });

  it('does not drop a measure that became due at a step already sent: it goes as the step’s next part', async () => {
    const w = await world('nap-parts');
    expect(await tick('2026-01-30T09:00')).toMatchObject({ created: 3 });

    // 1.2 is given to Anna later the same day: her d-14 was sent, but not for 1.2.
    await ContactModel.updateOne({ _id: w.anna }, { $push: { measures: w.m2 } });
    expect(await tick('2026-01-30T11:00')).toMatchObject({ created: 2 });
    expect((await reminderRows(w)).filter((r) => r.includes('anna'))).toEqual([
      '2026-02-13 anna d-14 slack #2 m2',
      '2026-02-13 anna d-14 slack m1',
      '2026-02-13 anna d-14 telegram #2 m2',
      '2026-02-13 anna d-14 telegram m1',
    ]);
    const second = await DeliveryModel.findOne({ key: reminderKey({ roundId: w.roundId, deadlineKey: '2026-02-13', contactId: String(w.anna), stepId: 'd-14', channel: 'telegram', part: 2 }) }).orFail().lean();
    expect(second.text).toContain('pasākuma 1.2 „Pasākums 1.2”');
    expect((await tick('2026-01-30T11:01')).created).toBe(0);

    // Another scheduler wrote Juris's d-7 first, from a read in which he owed 1.1 only.
    await produceDeliveries(outbox, [
      {
        key: reminderKey({ roundId: w.roundId, deadlineKey: '2026-02-13', contactId: String(w.juris), stepId: 'd-7', channel: 'telegram' }),
        purpose: 'reminder',
        contact: String(w.juris),
        channel: 'telegram',
        address: `tg-juris-${w.n}`,
        text: 'Reminder: 1.1',
        measures: [String(w.m1)],
      },
    ]);
    expect(await tick('2026-02-06T09:00')).toMatchObject({ created: 3 });
    expect((await reminderRows(w)).filter((r) => r.includes(' d-7 '))).toEqual([
      '2026-02-13 anna d-7 slack m1,m2',
      '2026-02-13 anna d-7 telegram m1,m2',
      '2026-02-13 juris d-7 telegram #2 m2,m3',
      '2026-02-13 juris d-7 telegram m1',
    ]);

    // The same for the coordinator: a notice written from an older read listed 1.1 only.
    await produceDeliveries(outbox, [
      {
        key: overdueNoticeKey({ roundId: w.roundId, deadlineKey: '2026-02-13', coordinatorId: String(w.ilze), stepId: 'overdue-2', channel: 'telegram' }),
        purpose: 'reminder.coordinator',
        contact: String(w.ilze),
        channel: 'telegram',
        address: `tg-ilze-${w.n}`,
        text: 'Kavēts: 1.1',
        measures: [String(w.m1)],
      },
    ]);
    expect(await tick('2026-02-23T09:00')).toMatchObject({ created: 4 });
    const notices = await DeliveryModel.find({ purpose: 'reminder.coordinator', contact: w.ilze }).sort({ key: 1 }).lean();
    expect(notices.map((n) => [n.key.split(':').slice(4).join(':'), n.measures?.map(namer(w)).join(',')])).toEqual([
      ['overdue-2:telegram', 'm1'],
      ['overdue-2:telegram:2', 'm2,m3'],
    ]);

    // A notice lost after the reminders that trigger it were recorded (a crash between the two) is made up.
    await DeliveryModel.deleteMany({ purpose: 'reminder.coordinator', contact: w.ilze });
    expect(await tick('2026-02-23T09:10')).toMatchObject({ created: 1 });
    expect((await DeliveryModel.findOne({ purpose: 'reminder.coordinator', contact: w.ilze }).orFail().lean()).measures?.map(namer(w))).toEqual(['m1', 'm2', 'm3']);
    expect((await tick('2026-02-23T09:11')).created).toBe(0);
  });

  it('reads what was recorded one per measure before reminders were combined, so a deploy mid-round repeats nothing', async () => {
    const w = await world('nap-legacy');
    const old = (key: string, contact: Types.ObjectId, address: string, channel: 'telegram' | 'slack' = 'telegram') =>
      DeliveryModel.create({ key, purpose: 'reminder', contact, channel, address, text: 'vecs', state: 'sent' });
    const r = w.roundId;
    await old(`reminder:${r}:2026-02-13:${String(w.m1)}:${String(w.anna)}:d-14:telegram`, w.anna, `tg-anna-${w.n}`);
    await old(`reminder:${r}:2026-02-13:${String(w.m1)}:${String(w.anna)}:d-14:slack`, w.anna, `D-anna-${w.n}`, 'slack');
    await old(`reminder:${r}:2026-02-13:${String(w.m1)}:${String(w.juris)}:d-14:telegram`, w.juris, `tg-juris-${w.n}`);
    await old(`reminder:${r}:2026-02-13:${String(w.m2)}:${String(w.juris)}:d-14:telegram`, w.juris, `tg-juris-${w.n}`);
    // 1.3 had no reminder yet: it is not lost.
    expect(await tick('2026-01-30T10:00')).toMatchObject({ created: 1 });
    expect((await reminderRows(w)).filter((row) => row.endsWith('m3'))).toEqual(['2026-02-13 juris d-14 telegram m3']);

    await DeliveryModel.create({
      key: `overdue-notice:${r}:2026-02-13:${String(w.m1)}:${String(w.ilze)}:telegram`,
      purpose: 'reminder.coordinator',
      contact: w.ilze,
      channel: 'telegram',
      address: `tg-ilze-${w.n}`,
      text: 'vecs',
      state: 'sent',
    });
    expect(await tick('2026-02-23T09:00')).toMatchObject({ created: 4 });
    const notice = await DeliveryModel.findOne({ key: { $regex: `^overdue-notice:${r}:2026-02-13:${String(w.ilze)}:` } }).orFail().lean();
    expect(notice.measures?.map(namer(w))).toEqual(['m2', 'm3']);
  });

  it('refuses answers from somebody else or for a closed round', async () => {
    const w = await world('nap-refuse');
    const now = at('2026-02-02T10:00');
    expect(await snoozeReminder({ roundId: w.roundId, measureId: String(w.m2), contactId: String(w.anna), now })).toEqual({ ok: false, reason: 'not_owner' });
    expect(await snoozeReminder({ roundId: w.roundId, contactId: String(w.ilze), now })).toEqual({ ok: false, reason: 'not_owner' });
    expect(await snoozeReminder({ roundId: 'x', contactId: String(w.anna), now })).toEqual({ ok: false, reason: 'unknown' });
    expect(await snoozeReminder({ roundId: 'x', measureId: String(w.m2), contactId: String(w.anna), now })).toEqual({ ok: false, reason: 'unknown' });
    // A snooze from a reminder sent before they were combined: that measure only.
    expect(await snoozeReminder({ roundId: w.roundId, measureId: String(w.m2), contactId: String(w.juris), now })).toMatchObject({ ok: true, measureCodes: ['1.2'] });
    await closeRound({ roundId: w.roundId }, 'test', now.toJSDate());
    expect(await snoozeReminder({ roundId: w.roundId, contactId: String(w.anna), now })).toEqual({ ok: false, reason: 'round_closed' });
    expect((await tick('2026-02-06T09:00')).created).toBe(0);
    expect(await reminderRows(w)).toEqual([]);
    expect(await ReminderStateModel.countDocuments({ round: w.roundId })).toBe(1);
  });

  it('starts over under new keys when the deadline moves, without repeating a reminder just sent', async () => {
    const w = await world('nap-move');
    await tick('2026-02-06T09:00');
    expect(await reminderRows(w)).toHaveLength(3);
    // Moved a week later the same morning: the new d-14 (6 Feb) was as good as sent by the old d-7.
    const moved = await extendRound({ roundId: w.roundId }, '2026-02-20', 'test', at('2026-02-06T11:00').toJSDate());
    expect(moved.ok).toBe(true);
    expect((await tick('2026-02-06T11:05')).created).toBe(0);
    expect((await tick('2026-02-11T09:00')).created).toBe(0);
    expect(await tick('2026-02-13T09:00')).toMatchObject({ created: 3 });
    const rows = await reminderRows(w);
    expect(rows.filter((k) => k.startsWith('2026-02-20'))).toEqual([
      '2026-02-20 anna d-7 slack m1',
      '2026-02-20 anna d-7 telegram m1',
      '2026-02-20 juris d-7 telegram m1,m2,m3',
    ]);
    expect(rows.filter((k) => k.startsWith('2026-02-13'))).toHaveLength(3);
    expect((await reminderTo(w, w.anna, 'd-7')).text).toContain('līdz 20.02.2026.');
    expect((await tick('2026-02-13T09:30')).created).toBe(0);
  });

  it('ticks every interval through a BullMQ job scheduler, once even when started twice', async () => {
    const w = await world('nap-bullmq');
    const prefix = uniquePrefix();
    const clock = () => at('2026-01-30T09:30');
    const first = await startReminderScheduler({ connection: redis, prefix, outbox, now: clock, everyMs: 300, digests: false });
    const second = await startReminderScheduler({ connection: redis, prefix, outbox, now: clock, everyMs: 300, digests: false });
    try {
      expect(await first.queue.getJobSchedulersCount()).toBe(1);
      const deadline = Date.now() + 15_000;
      while ((await reminderRows(w)).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      // Let a few more ticks run on both workers: nothing new may appear.
      await new Promise((r) => setTimeout(r, 1000));
      expect(await reminderRows(w)).toHaveLength(3);
    } finally {
      await first.queue.removeJobScheduler(REMINDER_SCHEDULER_ID);
      await first.close();
      await second.close();
    }
  });
});
