import { afterEach, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { Types } from 'mongoose';
import {
  ChannelIdentityModel,
  CommitmentModel,
  ContactModel,
  DeliveryModel,
  MeasureModel,
  MeetingModel,
  PlanModel,
  ReportingRoundModel,
  RsvpModel,
  StatusReportModel,
  rsvpId,
  type Language,
  type MeasureStatus,
  type RsvpAnswer,
} from '../../src/models/index.js';
import { storeFile } from '../../src/domain/chat/files.js';
import { openRound } from '../../src/domain/rounds/rounds.js';
import type { ChartMaker } from '../../src/domain/digests/digests.js';
import { reconcileReminders } from '../../src/jobs/reminder-scheduler.js';
import type { StoredPreferences } from '../../src/domain/preferences/preferences.js';
import { useTestDatabase } from '../support/mongo.js';
import { useOutboxTestbed } from '../support/outbox.js';

useTestDatabase();
const testbed = useOutboxTestbed();

const RIGA = 'Europe/Riga';
const NEW_YORK = 'America/New_York';
const riga = (iso: string) => DateTime.fromISO(iso, { zone: RIGA });
const newYork = (iso: string) => DateTime.fromISO(iso, { zone: NEW_YORK });
const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' });

// Each test brings its own plan, round, people and meeting; nothing of the previous one is left.
afterEach(async () => {
  await Promise.all(
    [PlanModel, CommitmentModel, MeasureModel, ReportingRoundModel, StatusReportModel, MeetingModel, RsvpModel, ContactModel, ChannelIdentityModel, DeliveryModel].map(
      (model: { deleteMany(filter: object): Promise<unknown> }) => model.deleteMany({}),
    ),
  );
});

let counter = 0;
let chartCalls: string[] = [];
/** Stands in for council-chart.ts: a small stored file saying which round and language it is for. */
const chart: ChartMaker = async (roundId, lang) => {
  chartCalls.push(`${roundId} ${lang}`);
  return storeFile({ name: `chart-${lang}.png`, mediaType: 'image/png', bytes: `chart ${roundId} ${lang}` });
};
const tick = (now: DateTime) => reconcileReminders({ now, outbox: testbed.outbox, chart });

async function person(name: string, language: Language, timeZone: string, options: { roles?: string[]; measures?: Types.ObjectId[]; preferences?: StoredPreferences } = {}) {
  const n = ++counter;
  const contact = await ContactModel.create({
    name,
    email: `${name.split(' ')[0]!.toLowerCase()}${n}@example.lv`,
    institution: 'VK',
    language,
    timeZone,
    roles: options.roles ?? [],
    measures: options.measures ?? [],
    ...(options.preferences ? { preferences: options.preferences } : {}),
  });
  await ChannelIdentityModel.create({ contact: contact._id, channel: 'telegram', externalId: `x${n}`, address: `tg-${n}` });
  return contact._id;
}

interface World {
  roundId: string;
  m1: Types.ObjectId;
  m2: Types.ObjectId;
  m3: Types.ObjectId;
  meetingId: string;
}

/**
 * Plan with commitment 1 and measures 1.1 (VK), 1.2 (VARAM), 1.3 (VK); a round open since
 * 16 November 2026 with the given deadline; 1.1 reported "in progress" on Wednesday 2 December
 * (the week before Monday 7 December), 1.3 reported "completed" on 20 November (the week before
 * that); a council meeting for forum members on Tuesday 15 December, 10:00 Riga time.
 */
async function world(deadlineDate = '2026-12-18'): Promise<World> {
  const plan = await PlanModel.create({ key: `nap-${++counter}`, number: 5, title: { lv: 'Plāns', en: 'Plan' }, startYear: 2022, endYear: 2025 });
  const c = await CommitmentModel.create({ plan: plan._id, number: 1, title: { lv: 'Atklātums', en: 'Openness' } });
  const measure = (code: string, order: number, institution: string) =>
    MeasureModel.create({ plan: plan._id, commitment: c._id, commitmentNumber: 1, code, order, institutions: [institution], title: { lv: `Pasākums ${code}`, en: `Measure ${code}` } });
  const m1 = await measure('1.1', 1, 'VK');
  const m2 = await measure('1.2', 2, 'VARAM');
  const m3 = await measure('1.3', 3, 'VK');
  const opened = await openRound({ planKey: plan.key, key: '2026', title: { lv: 'Progress', en: 'Progress' }, deadlineDate, actor: 'test', now: riga('2026-11-16T10:00').toJSDate() });
  if (!opened.ok) throw new Error(opened.error.message.en);
  await report(opened.round._id, m1._id, 'in_progress', riga('2026-12-02T11:00'));
  await report(opened.round._id, m3._id, 'completed', riga('2026-11-20T11:00'));
  const meeting = await MeetingModel.create({
    key: `padome-${counter}`,
    kind: 'council',
    title: { lv: 'Rīcības plāna progress', en: 'Action plan progress' },
    startsAt: riga('2026-12-15T10:00').toJSDate(),
    endsAt: riga('2026-12-15T11:30').toJSDate(),
    timeZone: RIGA,
    place: 'Valsts kanceleja',
    registrationDeadline: riga('2026-12-14T17:00').toJSDate(),
    audience: { roles: ['forum_member'] },
  });
  return { roundId: String(opened.round._id), m1: m1._id, m2: m2._id, m3: m3._id, meetingId: String(meeting._id) };
}

/** A reply as it stands in MongoDB, with the time it was last changed set as if given then. */
async function report(round: Types.ObjectId, measure: Types.ObjectId, status: MeasureStatus, at: DateTime) {
  const author = new Types.ObjectId();
  const note = 'Darbs turpinās';
  const doc = await StatusReportModel.create({ round, measure, status, note, links: [], author, revisions: [{ status, note, author, at: at.toJSDate() }] });
  // The timestamps plugin stamps the wall clock; the digest reads updatedAt against the test's clock.
  await StatusReportModel.collection.updateOne({ _id: doc._id }, { $set: { updatedAt: at.toJSDate(), createdAt: at.toJSDate() } });
}

async function answer(meetingId: string, contact: Types.ObjectId, value: RsvpAnswer) {
  await RsvpModel.create({ _id: rsvpId(meetingId, String(contact)), meeting: meetingId, contact, answer: value, waitlisted: false, answeredAt: new Date() });
}

/** The periods this person's digests were recorded for, sorted. */
async function periods(contact: Types.ObjectId): Promise<string[]> {
  const docs = await DeliveryModel.find({ key: { $regex: `^digest:${String(contact)}:` } }, { key: 1 }).lean();
  return docs.map((d) => d.key.split(':')[2]!).sort();
}

const digestOf = (contact: Types.ObjectId, period: string) => DeliveryModel.findOne({ key: `digest:${String(contact)}:${period}` }).orFail().lean();

async function queuedJobs(): Promise<number> {
  let total = 0;
  for (const queue of Object.values(testbed.outbox.queues)) {
    const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed');
    total += Object.values(counts).reduce((a, b) => a + b, 0);
  }
  return total;
}

describe('digests', () => {
  it('come weekly on Monday at 09:00 local in each person’s zone and language, with what changed, their deadlines and meetings', async () => {
    const w = await world();
    const anna = await person('Anna Ozola', 'lv', RIGA, { roles: ['forum_member'], measures: [w.m1, w.m3] });
    const john = await person('John Smith', 'en', NEW_YORK, { roles: ['forum_member'], measures: [w.m2] });
    await answer(w.meetingId, anna, 'on_site');

    // Riga is UTC+2 in winter: 09:00 there is 07:00 UTC; New York is UTC−5: 09:00 there is 14:00 UTC.
    expect((await tick(utc('2026-12-07T06:59'))).digests.created).toBe(0);
    expect((await tick(utc('2026-12-07T07:00'))).digests).toMatchObject({ due: 1, created: 1 });
    expect(await periods(anna)).toEqual(['2026-W50']);
    expect(await periods(john)).toEqual([]);
    expect((await tick(utc('2026-12-07T13:59'))).digests.created).toBe(0);
    expect(await periods(john)).toEqual([]);
    expect((await tick(utc('2026-12-07T14:00'))).digests).toMatchObject({ due: 1, created: 1 });
    expect(await periods(john)).toEqual(['2026-W50']);
    expect(await periods(anna)).toEqual(['2026-W50']);

    const forAnna = await digestOf(anna, '2026-W50');
    expect(forAnna).toMatchObject({ purpose: 'digest', priority: 'bulk', state: 'pending', channel: 'telegram' });
    expect(forAnna.heldReason).toBeUndefined();
    // The change to 1.3 was the week before last: not in this digest; 1.1 and 1.3 are reported, so
    // no deadline of hers is open.
    expect(forAnna.text).toBe(
      [
        'Nedēļas kopsavilkums (30.11.2026.–07.12.2026.)',
        'Statusa izmaiņas:\n• 1.1 Pasākums 1.1 — procesā',
        `Sanāksmes:\n• 15.12.2026. 10.00 Rīcības plāna progress — jūsu atbilde: piedalīšos klātienē`,
      ].join('\n\n'),
    );
    const forJohn = await digestOf(john, '2026-W50');
    expect(forJohn.text).toBe(
      [
        'Weekly digest (30 Nov 2026–7 Dec 2026)',
        'Status changes:\n• 1.1 Measure 1.1 — in progress',
        'Your deadlines:\n• 18 Dec 2026: 1.2 Measure 1.2',
        // A meeting's time is told in its own zone, where it takes place.
        'Meetings:\n• 15 Dec 2026 10:00 Action plan progress — your answer: not yet',
      ].join('\n\n'),
    );
  });

  it('records an empty digest as skipped, never queues it, and does not recompute it on the next tick', async () => {
    const peteris = await person('Pēteris Kalns', 'lv', RIGA);
    // Recorded, but not counted as created: the outbox counts what it will send.
    expect((await tick(riga('2026-12-07T09:00'))).digests).toEqual({ due: 1, created: 0, existing: 0 });
    const digest = await digestOf(peteris, '2026-W50');
    expect(digest).toMatchObject({ state: 'skipped', heldReason: 'empty_digest' });
    expect(digest.text).toContain('Nekas jauns.');
    expect(await queuedJobs()).toBe(0);

    expect((await tick(riga('2026-12-07T09:01'))).digests).toEqual({ due: 0, created: 0, existing: 0 });
    expect((await tick(riga('2026-12-10T09:00'))).digests).toEqual({ due: 0, created: 0, existing: 0 });
    expect(await periods(peteris)).toEqual(['2026-W50']);
    expect(await queuedJobs()).toBe(0);
  });

  it('is one per person and period under two schedulers at once and a minute later', async () => {
    const w = await world();
    const anna = await person('Anna Ozola', 'lv', RIGA, { roles: ['forum_member'], measures: [w.m1] });
    const ilze = await person('Ilze Liepa', 'lv', RIGA, { roles: ['coordinator'] });
    const [first, second] = await Promise.all([tick(riga('2026-12-07T09:00')), tick(riga('2026-12-07T09:00'))]);
    expect(first!.digests.created + second!.digests.created).toBe(2);
    const [third, fourth] = await Promise.all([tick(riga('2026-12-07T09:01')), tick(riga('2026-12-07T09:01'))]);
    expect(third!.digests.created + fourth!.digests.created).toBe(0);
    expect(await periods(anna)).toEqual(['2026-W50']);
    expect(await periods(ilze)).toEqual(['2026-W50']);
    expect(await DeliveryModel.countDocuments({ purpose: 'digest' })).toBe(2);
  });

  it('is made up once by a tick on Wednesday when Monday’s was missed', async () => {
    const w = await world();
    const anna = await person('Anna Ozola', 'lv', RIGA, { roles: ['forum_member'], measures: [w.m1] });
    expect((await tick(riga('2026-12-09T14:23'))).digests.created).toBe(1);
    expect((await tick(riga('2026-12-09T14:24'))).digests.created).toBe(0);
    expect((await tick(riga('2026-12-13T23:59'))).digests.created).toBe(0);
    expect(await periods(anna)).toEqual(['2026-W50']);
    // Late, but about the same week: last week's change is in it.
    expect((await digestOf(anna, '2026-W50')).text).toContain('• 1.1 Pasākums 1.1 — procesā');
  });

  it('takes a changed preference from the next period on, without a second digest for the current one', async () => {
    const anna = await person('Anna Ozola', 'lv', RIGA);
    const john = await person('John Smith', 'en', NEW_YORK, { preferences: { digest: 'daily' } });
    const juris = await person('Juris Kalns', 'lv', RIGA, { preferences: { digest: 'weekly', digestHour: 17 } });
    const prefer = (contact: Types.ObjectId, preferences: StoredPreferences) => ContactModel.updateOne({ _id: contact }, { $set: { preferences } });

    await tick(riga('2026-12-07T09:00'));
    await tick(newYork('2026-12-07T09:00'));
    expect(await periods(anna)).toEqual(['2026-W50']);
    expect(await periods(john)).toEqual(['2026-12-07']);
    expect(await periods(juris)).toEqual([]);

    // Anna goes daily on Monday after her weekly came: Monday's daily would repeat it.
    await prefer(anna, { digest: 'daily' });
    // Juris moves his hour from 17 to 9 at noon: this week's is now due, once.
    await prefer(juris, { digest: 'weekly', digestHour: 9 });
    await tick(riga('2026-12-07T12:00'));
    expect(await periods(anna)).toEqual(['2026-W50']);
    expect(await periods(juris)).toEqual(['2026-W50']);
    await prefer(juris, { digest: 'weekly', digestHour: 17 });
    await tick(riga('2026-12-07T17:00'));
    expect(await periods(juris)).toEqual(['2026-W50']);

    // Anna's next day is daily, and only from her hour.
    await tick(riga('2026-12-08T08:59'));
    expect(await periods(anna)).toEqual(['2026-W50']);
    await tick(riga('2026-12-08T09:00'));
    expect(await periods(anna)).toEqual(['2026-12-08', '2026-W50']);

    // John goes weekly on Tuesday after his daily: this week's weekly would repeat his dailies.
    await tick(newYork('2026-12-08T09:00'));
    await prefer(john, { digest: 'weekly' });
    await tick(newYork('2026-12-08T12:00'));
    expect(await periods(john)).toEqual(['2026-12-07', '2026-12-08']);

    // Anna turns them off: nothing more; John's next one is Monday's weekly.
    await prefer(anna, { digest: 'off' });
    for (const day of ['2026-12-09', '2026-12-10', '2026-12-11', '2026-12-14']) await tick(newYork(`${day}T09:00`));
    await tick(riga('2026-12-14T17:00'));
    expect(await periods(anna)).toEqual(['2026-12-08', '2026-W50']);
    expect(await periods(john)).toEqual(['2026-12-07', '2026-12-08', '2026-W51']);
    expect(await periods(juris)).toEqual(['2026-W50', '2026-W51']);
  });

  it('defers a digest that falls in quiet hours to their end, recorded pending, not dropped', async () => {
    const w = await world();
    const anna = await person('Anna Ozola', 'lv', RIGA, { roles: ['forum_member'], measures: [w.m1], preferences: { quietFrom: 8, quietTo: 10 } });
    const john = await person('John Smith', 'en', NEW_YORK, { measures: [w.m2], preferences: { quietFrom: 22, quietTo: 7, digest: 'daily', digestHour: 23 } });
    await tick(riga('2026-12-07T09:00'));
    await tick(newYork('2026-12-07T23:00'));
    expect(await digestOf(anna, '2026-W50')).toMatchObject({ state: 'pending', heldReason: 'quiet_hours', notBefore: riga('2026-12-07T10:00').toJSDate() });
    // Quiet hours across midnight: held until 07:00 the next morning.
    expect(await digestOf(john, '2026-12-07')).toMatchObject({ state: 'pending', heldReason: 'quiet_hours', notBefore: newYork('2026-12-08T07:00').toJSDate() });
    expect((await digestOf(anna, '2026-W50')).text).toContain('• 1.1 Pasākums 1.1 — procesā');
  });

  it('gives a coordinator the replies, overdue by institution, registrations, failed deliveries and the council chart', async () => {
    // The deadline was Friday 4 December: 1.2 (VARAM) is overdue.
    const w = await world('2026-12-04');
    const ilze = await person('Ilze Liepa', 'lv', RIGA, { roles: ['coordinator'] });
    const anna = await person('Anna Ozola', 'lv', RIGA, { roles: ['forum_member'], measures: [w.m1] });
    const john = await person('John Smith', 'en', NEW_YORK, { roles: ['forum_member'], measures: [w.m2] });
    await person('Pēteris Kalns', 'lv', RIGA, { roles: ['forum_member'] });
    await answer(w.meetingId, anna, 'on_site');
    await answer(w.meetingId, john, 'not_attending');
    // A delivery that failed during the week (and one that failed before it, not counted).
    await DeliveryModel.collection.insertMany([
      { key: 'test-failed-1', purpose: 'reminder', priority: 'reminder', channel: 'telegram', address: 'x', text: 'x', state: 'failed', updatedAt: riga('2026-12-03T10:00').toJSDate() },
      { key: 'test-failed-2', purpose: 'reminder', priority: 'reminder', channel: 'telegram', address: 'y', text: 'y', state: 'failed', updatedAt: riga('2026-11-20T10:00').toJSDate() },
    ]);
    chartCalls = [];
    await tick(riga('2026-12-07T09:00'));

    const digest = await digestOf(ilze, '2026-W50');
    expect(digest.text).toBe(
      [
        'Nedēļas kopsavilkums (30.11.2026.–07.12.2026.)',
        'Statusa izmaiņas:\n• 1.1 Pasākums 1.1 — procesā',
        'Saņemtās atbildes: 1 (1.1)',
        'Nokavēts pa iestādēm:\n• VARAM 1',
        'Pieteikumi sanāksmēm:\n• Rīcības plāna progress: piedalīsies 1, nepiedalīsies 1, nav atbildējuši 1',
        'Neizdevušās ziņas: 1 (atgādinājumi 1)',
      ].join('\n\n'),
    );
    expect(chartCalls).toEqual([`${w.roundId} lv`]);
    expect(digest.attachments).toHaveLength(1);
    expect(digest.attachments[0]).toMatchObject({ name: 'chart-lv.png', mediaType: 'image/png', source: { kind: 'stored' } });
    // Not a coordinator: no chart, none of those sections.
    const forAnna = await digestOf(anna, '2026-W50');
    expect(forAnna.attachments).toEqual([]);
    expect(forAnna.text).not.toContain('Saņemtās atbildes');
  });
});
