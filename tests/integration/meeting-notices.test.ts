import { afterEach, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { Types } from 'mongoose';
import { ChannelIdentityModel, ContactModel, DeliveryModel, MeetingModel, RsvpModel, rsvpId, type Language, type RsvpAnswer } from '../../src/models/index.js';
import { readAttachment, storeFile } from '../../src/domain/chat/files.js';
import { parseMeetingAction } from '../../src/domain/meetings/rsvp-actions.js';
import type { CalendarFile } from '../../src/domain/meetings/due-meeting-notices.js';
import { createOutbox } from '../../src/jobs/outbox.js';
import { reconcileReminders } from '../../src/jobs/reminder-scheduler.js';
import { useTestDatabase } from '../support/mongo.js';
import { useOutboxTestbed } from '../support/outbox.js';

useTestDatabase();
const testbed = useOutboxTestbed();

const RIGA = 'Europe/Riga';
const NEW_YORK = 'America/New_York';
const riga = (iso: string) => DateTime.fromISO(iso, { zone: RIGA });

// Each test's people and meeting are the only active ones while it runs.
afterEach(async () => {
  await ContactModel.updateMany({}, { $set: { active: false } });
  await MeetingModel.deleteMany({});
  await RsvpModel.deleteMany({});
});

/** Stands in for calendar.ts: a stored file that says which method and language it was made for. */
let calendarCalls: string[] = [];
const calendarFile: CalendarFile = async (meeting, { method, language }) => {
  calendarCalls.push(`${method} ${language}`);
  const organizer = meeting.organizer ? `\nORGANIZER:${meeting.organizer.name}` : '';
  return storeFile({ name: 'sanaksme.ics', mediaType: 'text/calendar', bytes: `METHOD:${method}\nSEQUENCE:${meeting.sequence}\nLANG:${language}${organizer}` });
};
const tick = (now: DateTime, outbox = testbed.outbox) => reconcileReminders({ now, outbox, calendarFile, digests: false });

interface World {
  meetingId: string;
  anna: Types.ObjectId;
  john: Types.ObjectId;
  waitlisted: Types.ObjectId;
}

let counter = 0;
/**
 * A council meeting for the forum members: Anna (lv, Riga, Telegram and Slack), John (en, New
 * York, Telegram) and Pēteris (lv, Telegram; he ends up on the waiting list). Ilze, a coordinator,
 * is not in the audience.
 */
async function world(start: string, end: string, deadline: string): Promise<World> {
  counter += 1;
  const n = counter;
  const contact = (name: string, language: Language, timeZone: string, roles: string[]) =>
    ContactModel.create({ name, email: `${name.split(' ')[0]!.toLowerCase()}${n}@example.lv`, institution: 'VK', language, timeZone, roles });
  const anna = await contact('Anna Ozola', 'lv', RIGA, ['forum_member']);
  const john = await contact('John Smith', 'en', NEW_YORK, ['forum_member']);
  const peteris = await contact('Pēteris Kalns', 'lv', RIGA, ['forum_member']);
  const ilze = await contact('Ilze Liepa', 'lv', RIGA, ['coordinator']);
  await ChannelIdentityModel.create([
    { contact: anna._id, channel: 'telegram', externalId: `a${n}`, address: `tg-anna-${n}` },
    { contact: anna._id, channel: 'slack', externalId: `UA${n}`, address: `D-anna-${n}` },
    { contact: john._id, channel: 'telegram', externalId: `j${n}`, address: `tg-john-${n}` },
    { contact: peteris._id, channel: 'telegram', externalId: `p${n}`, address: `tg-peteris-${n}` },
    { contact: ilze._id, channel: 'telegram', externalId: `i${n}`, address: `tg-ilze-${n}` },
  ]);
  const meeting = await MeetingModel.create({
    key: `padome-${n}`,
    kind: 'council',
    title: { lv: 'Rīcības plāna progress', en: 'Action plan progress' },
    startsAt: riga(start).toJSDate(),
    endsAt: riga(end).toJSDate(),
    timeZone: RIGA,
    place: 'Valsts kancelejas Bibliotēka',
    onlineUrl: 'https://meet.example.lv/padome',
    registrationDeadline: riga(deadline).toJSDate(),
    agenda: [
      { number: 2, title: { lv: 'Dažādi', en: 'Other business' } },
      { number: 1, title: { lv: 'Progress', en: 'Progress' }, presenter: 'Ilze Liepa (VK)' },
    ],
    materials: [{ label: 'Ziņojums', url: 'https://example.lv/zinojums.pdf' }],
    audience: { roles: ['forum_member'] },
    organizer: ilze._id,
  });
  return { meetingId: String(meeting._id), anna: anna._id, john: john._id, waitlisted: peteris._id };
}

async function answer(w: World, contact: Types.ObjectId, value: RsvpAnswer, waitlisted = false) {
  await RsvpModel.create({ _id: rsvpId(w.meetingId, String(contact)), meeting: w.meetingId, contact, answer: value, waitlisted, answeredAt: new Date() });
}

/** `<kind> <person> <rest of the key>`, sorted: what was produced for this meeting. */
async function keys(w: World, kind: string): Promise<string[]> {
  const names = new Map([
    [String(w.anna), 'anna'],
    [String(w.john), 'john'],
    [String(w.waitlisted), 'peteris'],
  ]);
  const docs = await DeliveryModel.find({ key: { $regex: `^${kind}:${w.meetingId}:` } }, { key: 1 }).lean();
  return docs.map((d) => d.key.split(':').slice(2).map((part) => names.get(part) ?? part).join(' ')).sort();
}

const delivery = (key: RegExp | string) => DeliveryModel.findOne({ key: { $regex: key } }).lean();

async function calendarText(fileId: string | undefined) {
  return (await readAttachment({ name: 'x.ics', mediaType: 'text/calendar', source: { kind: 'stored', fileId: fileId ?? '' } })).toString('utf8');
}

describe('meeting invitations', () => {
  it('invites every audience member once per chat, in their language and zone, under two schedulers and a restart', async () => {
    const w = await world('2026-03-30T09:00', '2026-03-30T10:30', '2026-03-25T17:00');
    calendarCalls = [];
    const [first, second] = await Promise.all([tick(riga('2026-03-02T10:00')), tick(riga('2026-03-02T10:00'))]);
    expect(first!.meetings.created + second!.meetings.created).toBe(4);
    expect(await keys(w, 'meeting-invite')).toEqual(['anna slack', 'anna telegram', 'john telegram', 'peteris telegram']);
    // One calendar file per language and reconcile, shared by everyone it goes to.
    expect(new Set(calendarCalls)).toEqual(new Set(['REQUEST en', 'REQUEST lv']));
    expect(calendarCalls.length).toBeLessThanOrEqual(4);

    const anna = await delivery(`^meeting-invite:${w.meetingId}:${String(w.anna)}:telegram$`);
    expect(anna).toMatchObject({ purpose: 'meeting.invitation', priority: 'notice', channel: 'telegram', address: expect.stringMatching(/^tg-anna-/) });
    expect(anna?.text).toBe(
      [
        'Ielūgums: Uzraudzības padomes sēde „Rīcības plāna progress”',
        '',
        'Laiks: 2026. gada 30. marts, 09.00–10.30',
        'Vieta: Valsts kancelejas Bibliotēka',
        'Tiešsaistē: https://meet.example.lv/padome',
        'Pieteikšanās termiņš: 25.03.2026., plkst. 17.00',
        '',
        'Darba kārtība:',
        '1. Progress (Ilze Liepa (VK))',
        '2. Dažādi',
        '',
        'Materiāli: Ziņojums',
        '',
        'Lūdzu, atbildiet, vai piedalīsieties.',
        'Pielikumā ir kalendāra fails.',
      ].join('\n'),
    );
    expect(anna?.choices.map((c) => c.label)).toEqual(['Piedalīšos klātienē', 'Piedalīšos tiešsaistē', 'Nepiedalīšos', 'Sūtīšu aizvietotāju']);
    expect(anna?.choices.map((c) => parseMeetingAction(c.id))).toEqual(
      (['on_site', 'online', 'not_attending', 'deputy'] as const).map((a) => ({ kind: 'answer', answer: a, meetingId: w.meetingId })),
    );
    expect(anna?.links).toEqual([
      { label: 'Pievienoties tiešsaistē', url: 'https://meet.example.lv/padome' },
      { label: 'Ziņojums', url: 'https://example.lv/zinojums.pdf' },
    ]);
    expect(anna?.attachments).toHaveLength(1);
    expect(anna?.attachments[0]).toMatchObject({ name: 'sanaksme.ics', mediaType: 'text/calendar' });
    expect(await calendarText(anna?.attachments[0]?.source.fileId)).toBe('METHOD:REQUEST\nSEQUENCE:0\nLANG:lv\nORGANIZER:Ilze Liepa');

    // New York is on summer time from 8 March, Riga only from 29 March: 7 hours apart that day.
    const john = await delivery(`^meeting-invite:${w.meetingId}:${String(w.john)}:telegram$`);
    expect(john?.text).toContain('When: 30 March 2026, 02:00–03:30 (time zone: America/New_York)');
    expect(john?.text).toContain('Registration deadline: 25 Mar 2026, 11:00 (time zone: America/New_York)');
    expect(john?.text).toContain('1. Progress (Ilze Liepa (VK))');
    expect(john?.choices.map((c) => c.label)).toEqual(['Attending on site', 'Attending online', 'Not attending', 'Sending a deputy']);
    expect(await calendarText(john?.attachments[0]?.source.fileId)).toContain('LANG:en');

    // A restart: a new outbox, nothing in memory; nothing new, and no calendar file is made.
    calendarCalls = [];
    const restarted = createOutbox({ connection: testbed.redis, prefix: testbed.prefix });
    try {
      expect((await tick(riga('2026-03-02T10:01'), restarted)).meetings).toEqual({ due: 0, created: 0, existing: 0, problems: 0 });
    } finally {
      await restarted.close();
    }
    expect(calendarCalls).toEqual([]);
    expect(await DeliveryModel.countDocuments({ key: { $regex: `^meeting-invite:${w.meetingId}:` } })).toBe(4);

    // Someone who joins the audience later is invited at the next tick; the others are not again.
    const late = await ContactModel.create({ name: 'Līga Ozola', email: `liga${counter}@example.lv`, language: 'lv', roles: ['forum_member'] });
    await ChannelIdentityModel.create({ contact: late._id, channel: 'slack', externalId: `UL${counter}`, address: `D-liga-${counter}` });
    expect((await tick(riga('2026-03-03T10:00'))).meetings.created).toBe(1);
  });

  it('sends one change notice per person and change, with the new sequence, and nothing to the uninvited', async () => {
    const w = await world('2026-03-30T09:00', '2026-03-30T10:30', '2026-03-25T17:00');
    await tick(riga('2026-03-02T10:00'));
    await MeetingModel.updateOne(
      { _id: w.meetingId },
      { $set: { startsAt: riga('2026-03-31T13:00').toJSDate(), endsAt: riga('2026-03-31T14:30').toJSDate(), sequence: 1, lastChange: ['time'] } },
    );
    calendarCalls = [];
    const results = await Promise.all([tick(riga('2026-03-03T10:00')), tick(riga('2026-03-03T10:00'))]);
    expect(results.reduce((sum, r) => sum + r.meetings.created, 0)).toBe(4);
    expect(await keys(w, 'meeting-change')).toEqual(['1 anna slack', '1 anna telegram', '1 john telegram', '1 peteris telegram']);
    expect((await tick(riga('2026-03-03T10:05'))).meetings.created).toBe(0);
    expect(await keys(w, 'meeting-invite')).toHaveLength(4);

    // Līga joins the audience well after the edit: her invitation already shows the new time, so
    // she gets no change notice for it (her invitation is backdated against the edit instead of
    // waiting ten minutes), but she does for the next change.
    const liga = await ContactModel.create({ name: 'Līga Ozola', email: `liga${counter}@example.lv`, language: 'lv', roles: ['forum_member'] });
    await ChannelIdentityModel.create({ contact: liga._id, channel: 'telegram', externalId: `l${counter}`, address: `tg-liga-${counter}` });
    expect((await tick(riga('2026-03-03T11:00'))).meetings.created).toBe(1);
    const invited = await delivery(`^meeting-invite:${w.meetingId}:${String(liga._id)}:telegram$`);
    await MeetingModel.collection.updateOne({ _id: new Types.ObjectId(w.meetingId) }, { $set: { updatedAt: new Date(invited!.createdAt.getTime() - 11 * 60_000) } });
    expect((await tick(riga('2026-03-03T11:01'))).meetings.created).toBe(0);

    const anna = await delivery(`^meeting-change:${w.meetingId}:1:${String(w.anna)}:slack$`);
    expect(anna).toMatchObject({ purpose: 'meeting.change', priority: 'notice' });
    expect(anna?.text).toContain('Izmaiņas: Uzraudzības padomes sēde „Rīcības plāna progress”\nMainīts: laiks.');
    expect(anna?.text).toContain('Laiks: 2026. gada 31. marts, 13.00–14.30');
    expect(anna?.text).toContain('Pielikumā ir atjaunināts kalendāra fails.');
    expect(await calendarText(anna?.attachments[0]?.source.fileId)).toMatch(/METHOD:REQUEST\nSEQUENCE:1\nLANG:lv/);
    expect(anna?.choices).toHaveLength(4);
    const john = await delivery(`^meeting-change:${w.meetingId}:1:${String(w.john)}:telegram$`);
    expect(john?.text).toContain('Changed: time.');
    expect(john?.text).toContain('When: 31 March 2026, 06:00–07:30 (time zone: America/New_York)');

    // A second change (place and link) is a second notice each, under sequence 2.
    await MeetingModel.updateOne({ _id: w.meetingId }, { $set: { place: 'Brīvības bulvāris 36', onlineUrl: 'https://meet.example.lv/jauna', sequence: 2, lastChange: ['link', 'place'] } });
    expect((await tick(riga('2026-03-04T10:00'))).meetings.created).toBe(5);
    const second = await delivery(`^meeting-change:${w.meetingId}:2:${String(w.anna)}:telegram$`);
    expect(second?.text).toContain('Mainīts: vieta, tiešsaistes saite.');
    expect(second?.links).toEqual([{ label: 'Pievienoties tiešsaistē', url: 'https://meet.example.lv/jauna' }]);
    expect((await tick(riga('2026-03-04T10:01'))).meetings.created).toBe(0);
  });

  it('sends one cancellation notice to each invited chat, with METHOD:CANCEL, and nothing else after it', async () => {
    const w = await world('2026-03-30T09:00', '2026-03-30T10:30', '2026-03-25T17:00');
    await tick(riga('2026-03-02T10:00'));
    await answer(w, w.anna, 'on_site');
    await MeetingModel.updateOne({ _id: w.meetingId }, { $set: { state: 'cancelled', cancelledAt: new Date(), sequence: 1, lastChange: ['time'] } });
    const results = await Promise.all([tick(riga('2026-03-20T10:00')), tick(riga('2026-03-20T10:00'))]);
    expect(results.reduce((sum, r) => sum + r.meetings.created, 0)).toBe(4);
    expect(await keys(w, 'meeting-cancel')).toEqual(['anna slack', 'anna telegram', 'john telegram', 'peteris telegram']);
    const anna = await delivery(`^meeting-cancel:${w.meetingId}:${String(w.anna)}:telegram$`);
    expect(anna).toMatchObject({ purpose: 'meeting.cancel', priority: 'notice', choices: [] });
    expect(anna?.text).toBe(
      'Atcelts: Uzraudzības padomes sēde „Rīcības plāna progress”, kas bija paredzēts 30.03.2026., plkst. 09.00.\n\nPielikumā esošais fails to izņems no kalendāra.',
    );
    expect(await calendarText(anna?.attachments[0]?.source.fileId)).toContain('METHOD:CANCEL');
    // No change notice, no reminder (not even the day before, to Anna who had said yes).
    expect((await tick(riga('2026-03-29T09:30'))).meetings.created).toBe(0);
    expect(await keys(w, 'meeting-change')).toEqual([]);
    expect(await keys(w, 'meeting-reminder')).toEqual([]);
  });
});

describe('meeting notices with the real calendar file', () => {
  it('attach the .ics of calendar.ts: one UID, SEQUENCE following the changes, METHOD:CANCEL at the end', async () => {
    const w = await world('2026-03-30T09:00', '2026-03-30T10:30', '2026-03-25T17:00');
    const real = (now: DateTime) => reconcileReminders({ now, outbox: testbed.outbox, digests: false });
    const ics = async (key: string) => {
      const found = await delivery(key);
      expect(found?.attachments[0]?.name).toMatch(/^padome-\d+\.ics$/);
      return calendarText(found?.attachments[0]?.source.fileId);
    };
    const uid = `UID:meeting-${w.meetingId}@`;

    expect((await real(riga('2026-03-02T10:00'))).meetings.created).toBe(4);
    const invitation = await ics(`^meeting-invite:${w.meetingId}:${String(w.john)}:telegram$`);
    expect(invitation).toContain('METHOD:REQUEST\r\n');
    expect(invitation).toContain('SEQUENCE:0\r\n');
    expect(invitation).toContain(uid);
    expect(invitation).toContain('DTSTART;TZID=Europe/Riga:20260330T090000');

    await MeetingModel.updateOne({ _id: w.meetingId }, { $set: { startsAt: riga('2026-03-31T13:00').toJSDate(), endsAt: riga('2026-03-31T14:30').toJSDate(), sequence: 1, lastChange: ['time'] } });
    expect((await real(riga('2026-03-03T10:00'))).meetings.created).toBe(4);
    const change = await ics(`^meeting-change:${w.meetingId}:1:${String(w.anna)}:slack$`);
    expect(change).toContain('METHOD:REQUEST\r\n');
    expect(change).toContain('SEQUENCE:1\r\n');
    expect(change).toContain(uid);
    expect(change).toContain('DTSTART;TZID=Europe/Riga:20260331T130000');

    await MeetingModel.updateOne({ _id: w.meetingId }, { $set: { state: 'cancelled', cancelledAt: new Date(), sequence: 2 } });
    expect((await real(riga('2026-03-04T10:00'))).meetings.created).toBe(4);
    const cancel = await ics(`^meeting-cancel:${w.meetingId}:${String(w.anna)}:telegram$`);
    expect(cancel).toContain('METHOD:CANCEL\r\n');
    expect(cancel).toContain('SEQUENCE:2\r\n');
    expect(cancel).toContain(uid);
    expect((await real(riga('2026-03-04T10:01'))).meetings.created).toBe(0);
  });
});

describe('meeting reminders', () => {
  it('reminds those coming the day before and 1 hour before, at the right instant across the spring clock change', async () => {
    // Riga moves to summer time on 29 March 2026; 09.00 on 30 March is 06.00 UTC.
    const w = await world('2026-03-30T09:00', '2026-03-30T10:30', '2026-03-25T17:00');
    await tick(riga('2026-03-02T10:00'));
    await answer(w, w.anna, 'on_site');
    await answer(w, w.john, 'online');
    await answer(w, w.waitlisted, 'on_site', true);

    expect((await tick(riga('2026-03-29T08:59'))).meetings.created).toBe(0);
    expect((await tick(riga('2026-03-29T09:00'))).meetings.created).toBe(3);
    const anchor = riga('2026-03-30T09:00').toMillis();
    expect(await keys(w, 'meeting-reminder')).toEqual(['anna slack', 'anna telegram', 'john telegram'].map((p) => `day-before ${anchor} ${p}`));
    const hourBefore = DateTime.fromISO('2026-03-30T05:00:00Z');
    expect((await tick(hourBefore.minus({ minutes: 1 }))).meetings.created).toBe(0);
    const [a, b] = await Promise.all([tick(hourBefore), tick(hourBefore)]);
    expect(a!.meetings.created + b!.meetings.created).toBe(3);
    expect((await keys(w, 'meeting-reminder')).filter((k) => k.startsWith('hour-before'))).toHaveLength(3);
    expect((await tick(hourBefore.plus({ minutes: 30 }))).meetings.created).toBe(0);

    const anna = await delivery(`^meeting-reminder:${w.meetingId}:hour-before:\\d+:${String(w.anna)}:telegram$`);
    expect(anna).toMatchObject({ purpose: 'meeting.reminder', priority: 'reminder' });
    expect(anna?.text).toBe(
      'Atgādinājums: Uzraudzības padomes sēde „Rīcības plāna progress” sākas 30.03.2026., plkst. 09.00.\nVieta: Valsts kancelejas Bibliotēka\nTiešsaistē: https://meet.example.lv/padome',
    );
    const john = await delivery(`^meeting-reminder:${w.meetingId}:hour-before:\\d+:${String(w.john)}:telegram$`);
    expect(john?.text).toContain('starts on 30 Mar 2026, 02:00 (time zone: America/New_York)');
    expect(john?.links).toEqual([{ label: 'Join online', url: 'https://meet.example.lv/padome' }]);
    // After the start nothing more, whatever was missed.
    expect((await tick(riga('2026-03-30T09:00'))).meetings.created).toBe(0);
  });

  it('after the autumn clock change, and after downtime only the latest step', async () => {
    // Riga goes back to winter time on 25 October 2026 (New York only on 1 November): 09.00 is 07.00 UTC.
    const w = await world('2026-10-26T09:00', '2026-10-26T11:00', '2026-10-21T17:00');
    await tick(riga('2026-10-01T10:00'));
    await answer(w, w.anna, 'deputy');
    await answer(w, w.john, 'online');
    const start = DateTime.fromISO('2026-10-26T07:00:00Z');
    expect(riga('2026-10-26T09:00').toMillis()).toBe(start.toMillis());
    const dayBefore = DateTime.fromISO('2026-10-25T07:00:00Z');
    expect((await tick(dayBefore.minus({ minutes: 1 }))).meetings.created).toBe(0);
    expect((await tick(dayBefore)).meetings.created).toBe(3);
    expect(await keys(w, 'meeting-reminder')).toEqual(['anna slack', 'anna telegram', 'john telegram'].map((p) => `day-before ${start.toMillis()} ${p}`));
    const john = await delivery(`^meeting-reminder:${w.meetingId}:day-before:\\d+:${String(w.john)}:telegram$`);
    expect(john?.text).toContain('starts on 26 Oct 2026, 03:00 (time zone: America/New_York)');

    // John cancels; Pēteris says yes after the day-before moment, and the scheduler is down until
    // 20 minutes before the start: he gets the hour-before reminder only, not the missed one too.
    await RsvpModel.updateOne({ _id: rsvpId(w.meetingId, String(w.john)) }, { $set: { answer: 'not_attending' } });
    await answer(w, w.waitlisted, 'on_site');
    expect((await tick(start.minus({ minutes: 20 }))).meetings.created).toBe(3);
    expect((await keys(w, 'meeting-reminder')).filter((k) => k.includes('peteris'))).toEqual([`hour-before ${start.toMillis()} peteris telegram`]);
    expect((await keys(w, 'meeting-reminder')).filter((k) => k.includes('john'))).toEqual([`day-before ${start.toMillis()} john telegram`]);
  });

  it('reminds those who have not answered 3 working days before the deadline and on its morning, in their office hours', async () => {
    // Deadline Wednesday 25 March 17.00 Riga: steps Friday 20 March and Wednesday 25 March, 09.00 local.
    const w = await world('2026-03-30T09:00', '2026-03-30T10:30', '2026-03-25T17:00');
    await tick(riga('2026-03-02T10:00'));
    await answer(w, w.waitlisted, 'not_attending');
    expect((await tick(riga('2026-03-20T08:59'))).meetings.created).toBe(0);
    expect((await tick(riga('2026-03-20T09:00'))).meetings.created).toBe(2);
    expect(await keys(w, 'meeting-reminder')).toEqual(['anna slack', 'anna telegram'].map((p) => `rsvp-3wd ${riga('2026-03-25T17:00').toMillis()} ${p}`));
    // 09.00 in New York is 15.00 in Riga (6 hours apart until 29 March).
    expect((await tick(riga('2026-03-20T14:59'))).meetings.created).toBe(0);
    expect((await tick(riga('2026-03-20T15:00'))).meetings.created).toBe(1);
    expect((await tick(riga('2026-03-21T10:00'))).meetings.created).toBe(0);
    expect((await tick(riga('2026-03-23T10:00'))).meetings.created).toBe(0);

    const reminder = await delivery(`^meeting-reminder:${w.meetingId}:rsvp-3wd:\\d+:${String(w.anna)}:telegram$`);
    expect(reminder).toMatchObject({ purpose: 'meeting.reminder', priority: 'reminder' });
    expect(reminder?.text).toBe(
      'Atgādinājums: lūdzu, atbildiet, vai piedalīsieties. Uzraudzības padomes sēde „Rīcības plāna progress” notiks 30.03.2026., plkst. 09.00. Pieteikšanās termiņš: 25.03.2026., plkst. 17.00.',
    );
    expect(reminder?.choices).toHaveLength(4);

    // Anna answers; on the deadline's morning only John is still reminded, in his office hours.
    await answer(w, w.anna, 'online');
    expect((await tick(riga('2026-03-25T08:00'))).meetings.created).toBe(0);
    expect((await tick(riga('2026-03-25T14:59'))).meetings.created).toBe(0);
    expect((await tick(riga('2026-03-25T15:00'))).meetings.created).toBe(1);
    expect((await keys(w, 'meeting-reminder')).filter((k) => k.startsWith('rsvp-deadline'))).toEqual([`rsvp-deadline ${riga('2026-03-25T17:00').toMillis()} john telegram`]);
    // After the deadline no answer reminder at all.
    await RsvpModel.deleteOne({ _id: rsvpId(w.meetingId, String(w.anna)) });
    expect((await tick(riga('2026-03-25T17:00'))).meetings.created).toBe(0);
  });

  it('after downtime sends the deadline-morning reminder only, not the missed earlier one', async () => {
    const w = await world('2026-03-30T09:00', '2026-03-30T10:30', '2026-03-25T17:00');
    await tick(riga('2026-03-02T10:00'));
    // Down from 19 March until Tuesday 24 March 20.00: out of office hours in Riga, but 14.00 in
    // New York, so John gets the step he missed, the only one due for him yet.
    expect((await tick(riga('2026-03-24T20:00'))).meetings.created).toBe(1);
    expect(await keys(w, 'meeting-reminder')).toEqual([`rsvp-3wd ${riga('2026-03-25T17:00').toMillis()} john telegram`]);
    // Anna and Pēteris missed Friday's step: on the deadline's morning they get that one only.
    expect((await tick(riga('2026-03-25T09:30'))).meetings.created).toBe(3);
    expect((await keys(w, 'meeting-reminder')).filter((k) => !k.includes('john')).map((k) => k.split(' ')[0])).toEqual(['rsvp-deadline', 'rsvp-deadline', 'rsvp-deadline']);
  });
});
