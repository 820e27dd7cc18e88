import type { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSlackClient, createSlackSender } from '../../src/bots/slack/sender.js';
import { linkSlackByEmail, slackEmailLookup } from '../../src/domain/chat/invitations.js';
import { saveMeeting } from '../../src/domain/meetings/meetings.js';
import { recordMinutes } from '../../src/domain/meetings/minutes.js';
import { encodeMeetingAction } from '../../src/domain/meetings/rsvp-actions.js';
import { createOutbox, produceDeliveries, type Outbox } from '../../src/jobs/outbox.js';
import { NO_LIMITS } from '../../src/jobs/outbox-limits.js';
import { startOutboxWorkers, type OutboxWorkers } from '../../src/jobs/outbox-worker.js';
import { reconcileReminders } from '../../src/jobs/reminder-scheduler.js';
import { createLogger } from '../../src/log.js';
import { ContactModel, MeetingModel, RsvpModel, rsvpId } from '../../src/models/index.js';
import { createRedis } from '../../src/redis.js';
import type { FakeMessage } from '../support/fake-slack.js';
import { ANNOUNCED, ONLINE_URL, createOrganizer, deliveriesByName, meetingFile, outboxDrained, readCalendar, riga } from '../support/meeting-e2e.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { buttonsOf, sectionText } from '../support/slack-requests.js';
import { SLACK_PEOPLE } from '../support/slack-people.js';

/**
 * A council meeting end to end on Slack: saved as the CLI saves a meeting file, announced by the
 * scheduler's tick through the real outbox and Slack sender to the fake Web API (the .ics as a
 * files.uploadV2 upload), answered with the invitation's buttons through the real Bolt app, moved,
 * reminded an hour before and closed with the minutes. Kristaps reads English in London, so every
 * time he is shown is an hour behind Riga's and names his zone.
 */

useTestDatabase();

const log = createLogger('silent');
const KEY = 'padome-2026-05-slack';
const { KRISTAPS, MARTA } = SLACK_PEOPLE;

let clock: DateTime = ANNOUNCED;
let h: SlackHarness;
let redis: Redis;
let outbox: Outbox;
let workers: OutboxWorkers;
let meetingId = '';
let kristapsId = '';
let martaId = '';

const tick = async (at: DateTime) => {
  clock = at;
  const result = await reconcileReminders({ now: at, outbox, log, digests: false });
  expect(result.problems).toBe(0);
  return result.meetings.created;
};

const dm = (user: string) => h.fake.dmOf(user);
const messages = (user: string) => h.fake.messagesIn(dm(user));
const files = (user: string) => h.fake.filesIn(dm(user));
const labelsOf = (message: FakeMessage) => buttonsOf(message.blocks).map((b) => b.element.text.text);

/** Sends, and returns the next message in the person's DM. */
async function reply(user: string, send: () => Promise<{ status: number }>): Promise<FakeMessage> {
  const before = messages(user).length;
  expect((await send()).status).toBe(200);
  return h.fake.nextMessage(dm(user), before);
}

beforeAll(async () => {
  await createOrganizer();
  const [k, m] = await ContactModel.create([
    { name: KRISTAPS.name, email: KRISTAPS.email, institution: 'PROVIDUS', roles: ['forum_member'], language: 'en', timeZone: 'Europe/London' },
    { name: MARTA.name, email: MARTA.email, institution: 'VARAM', roles: ['forum_member'], language: 'lv', timeZone: 'Europe/Riga' },
  ]);
  kristapsId = String(k!._id);
  martaId = String(m!._id);
  redis = createRedis(inject('redisUrl'));
  const prefix = uniquePrefix();
  outbox = createOutbox({ connection: redis, prefix });
  h = await startSlackHarness({ users: [KRISTAPS, MARTA], now: () => clock.toJSDate(), produce: (list) => produceDeliveries(outbox, list) });
  workers = startOutboxWorkers({
    connection: redis,
    prefix,
    senders: { slack: createSlackSender(createSlackClient({ token: h.fake.token, apiUrl: h.fake.url })) },
    limits: { slack: NO_LIMITS },
    log,
  });
  const linked = await linkSlackByEmail({ lookup: slackEmailLookup(h.slack.client), contacts: [k!, m!], actor: 'test' });
  expect(linked.map((l) => l.result)).toEqual(['linked', 'linked']);
});

afterAll(async () => {
  await workers?.close();
  await outbox?.close();
  await h?.close();
  await redis?.quit();
});

describe('a meeting on Slack', () => {
  let invitation: FakeMessage;

  it('sends the invitation once: text in the member’s zone, RSVP and online-link buttons, and the .ics as a file upload', async () => {
    const saved = await saveMeeting(meetingFile(KEY, [KRISTAPS.email, MARTA.email]), { actor: 'cli', now: clock.toJSDate(), defaultTimeZone: 'Europe/Riga' });
    expect(saved).toMatchObject({ ok: true, created: true });
    meetingId = saved.ok ? String(saved.meeting._id) : '';

    expect(await tick(ANNOUNCED)).toBe(2);
    invitation = await h.fake.nextMessage(dm(KRISTAPS.id), 0);
    const file = await h.fake.waitFor(() => files(KRISTAPS.id)[0]);
    const text = [
      'Invitation: Supervisory council meeting “Supervisory council meeting”',
      '',
      'When: 14 May 2026, 11:00–12:30 (time zone: Europe/London)',
      `Place: ${'Valsts kancelejas Bibliotēka, Brīvības bulvāris 36, Rīga'}`,
      `Online: ${ONLINE_URL}`,
      'Registration deadline: 11 May 2026, 15:00 (time zone: Europe/London)',
      '',
      'Agenda:',
      '1. Progress report (VK)',
      '2. Drafting the 6th plan',
      '',
      'Please let us know whether you will attend.',
      'The calendar file is attached.',
    ].join('\n');
    expect(sectionText(invitation)).toBe(text);
    const all = buttonsOf(invitation.blocks).map((b) => b.element);
    expect(all.filter((b) => !b.url).map((b) => [b.text.text, b.value])).toEqual(
      (['on_site', 'online', 'not_attending', 'deputy'] as const).map((answer, i) => [
        ['Attending on site', 'Attending online', 'Not attending', 'Sending a deputy'][i],
        encodeMeetingAction({ kind: 'answer', answer, meetingId }),
      ]),
    );
    expect(all.filter((b) => b.url).map((b) => [b.text.text, b.url])).toEqual([['Join online', ONLINE_URL]]);

    expect(file.name).toMatch(/\.ics$/);
    const ics = readCalendar(file.bytes);
    expect(ics).toMatchObject({ problems: [], method: 'REQUEST', sequence: 0, start: '2026-05-14T10:00:00.000Z', end: '2026-05-14T11:30:00.000Z' });
    expect(ics.uid).toContain(meetingId);

    await outboxDrained();
    expect(await deliveriesByName('meeting.invitation')).toEqual({ [KRISTAPS.name]: 1, [MARTA.name]: 1 });
    expect(messages(KRISTAPS.id)).toHaveLength(1);
    expect(files(KRISTAPS.id)).toHaveLength(1);
    // Marta reads it in Latvian, in Riga time.
    expect(sectionText(messages(MARTA.id)[0]!)).toContain('Laiks: 2026. gada 14. maijs, 13.00–14.30\n');
    expect(files(MARTA.id)).toHaveLength(1);
  });

  it('stores "on site" pressed under the invitation and confirms it in the DM; a repeated tick sends nothing', async () => {
    const confirmation = await reply(KRISTAPS.id, () => h.requests.press(KRISTAPS.id, invitation, 'Attending on site'));
    expect(sectionText(confirmation)).toBe(
      'Thank you! Your answer for “Supervisory council meeting”: attending on site.\nYou can change it until 11 May 2026, 15:00.',
    );
    expect(await RsvpModel.findById(rsvpId(meetingId, kristapsId)).lean()).toMatchObject({ answer: 'on_site', waitlisted: false });
    expect(labelsOf(confirmation)).toEqual(['Change answer']);
    // The pressed invitation says what was chosen and loses its answer buttons; the join button and the link in the text stay.
    const pressed = await h.fake.waitFor(() => messages(KRISTAPS.id).find((m) => m.ts === invitation.ts && m.edited));
    expect(labelsOf(pressed)).toEqual(['Join online']);
    expect(JSON.stringify(pressed.blocks)).toContain('✓ Attending on site');
    expect(sectionText(pressed)).toContain(`Online: ${ONLINE_URL}`);

    await outboxDrained();
    const posted = h.fake.callsTo('chat.postMessage').length;
    const uploaded = h.fake.files.length;
    expect(await tick(ANNOUNCED.plus({ minutes: 5 }))).toBe(0);
    await outboxDrained();
    expect([h.fake.callsTo('chat.postMessage').length, h.fake.files.length]).toEqual([posted, uploaded]);
  });

  it('takes a deputy through the DM: the name, then the institution, and nothing else', async () => {
    const [martaInvitation] = messages(MARTA.id);
    const askName = await reply(MARTA.id, () => h.requests.press(MARTA.id, martaInvitation!, 'Sūtīšu aizvietotāju'));
    expect(sectionText(askName)).toBe(
      '„Uzraudzības padomes sēde”\nKā sauc jūsu aizvietotāju? Lūdzu, nosūtiet tikai vārdu un uzvārdu (ne vairāk kā 100 rakstzīmes).',
    );
    expect(labelsOf(askName)).toEqual(['Atcelt']);
    const askInstitution = await reply(MARTA.id, () => h.requests.dm(MARTA.id, 'Jānis Bērziņš'));
    expect(sectionText(askInstitution)).toBe('Kuru institūciju vai organizāciju pārstāvēs Jānis Bērziņš? (ne vairāk kā 100 rakstzīmes)');
    const saved = await reply(MARTA.id, () => h.requests.dm(MARTA.id, 'Vides aizsardzības un reģionālās attīstības ministrija'));
    expect(sectionText(saved)).toBe(
      'Paldies! Jūsu atbilde par „Uzraudzības padomes sēde”: sūtu aizvietotāju: Jānis Bērziņš (Vides aizsardzības un reģionālās attīstības ministrija).\nAtbildi var mainīt līdz 11.05.2026., plkst. 17.00.',
    );
    expect(await RsvpModel.findById(rsvpId(meetingId, martaId)).lean()).toMatchObject({
      answer: 'deputy',
      deputy: { name: 'Jānis Bērziņš', institution: 'Vides aizsardzības un reģionālās attīstības ministrija' },
    });
  });

  it('sends one change notice with a new .ics (SEQUENCE:1) when the coordinator moves the start', async () => {
    clock = riga('2026-05-06T10:00');
    const moved = await saveMeeting(meetingFile(KEY, [KRISTAPS.email, MARTA.email], { start: '2026-05-14 14:00', end: '2026-05-14 15:30' }), {
      actor: 'cli',
      now: clock.toJSDate(),
      defaultTimeZone: 'Europe/Riga',
    });
    expect(moved).toMatchObject({ ok: true, created: false, changes: ['time'] });

    const before = messages(KRISTAPS.id).length;
    expect(await tick(clock)).toBe(2);
    const notice = await h.fake.nextMessage(dm(KRISTAPS.id), before);
    expect(sectionText(notice)).toContain('Change: Supervisory council meeting “Supervisory council meeting”\nChanged: time.');
    expect(sectionText(notice)).toContain('When: 14 May 2026, 12:00–13:30 (time zone: Europe/London)');
    const file = await h.fake.waitFor(() => files(KRISTAPS.id)[1]);
    expect(readCalendar(file.bytes)).toMatchObject({ problems: [], method: 'REQUEST', sequence: 1, start: '2026-05-14T11:00:00.000Z' });

    expect(await tick(clock.plus({ minutes: 1 }))).toBe(0);
    await outboxDrained();
    expect(await deliveriesByName('meeting.change')).toEqual({ [KRISTAPS.name]: 1, [MARTA.name]: 1 });
    expect(messages(KRISTAPS.id)).toHaveLength(before + 1);
    expect(files(KRISTAPS.id)).toHaveLength(2);
  });

  it('reminds those coming exactly one hour before the new start, once', async () => {
    expect(await tick(riga('2026-05-13T14:00'))).toBe(2);
    await outboxDrained();
    const before = messages(KRISTAPS.id).length;
    expect(await tick(riga('2026-05-14T12:59:59'))).toBe(0);
    expect(await tick(riga('2026-05-14T13:00'))).toBe(2);
    expect(await tick(riga('2026-05-14T13:00'))).toBe(0);
    const reminder = await h.fake.nextMessage(dm(KRISTAPS.id), before);
    expect(sectionText(reminder)).toBe(
      [
        'Reminder: Supervisory council meeting “Supervisory council meeting” starts on 14 May 2026, 12:00 (time zone: Europe/London).',
        'Place: Valsts kancelejas Bibliotēka, Brīvības bulvāris 36, Rīga',
        `Online: ${ONLINE_URL}`,
      ].join('\n'),
    );
    expect(buttonsOf(reminder.blocks).map((b) => [b.element.text.text, b.element.url])).toEqual([['Join online', ONLINE_URL]]);
    await outboxDrained();
    expect(await deliveriesByName('meeting.reminder')).toEqual({ [KRISTAPS.name]: 2, [MARTA.name]: 2 });
    expect(messages(KRISTAPS.id)).toHaveLength(before + 1);
  });

  it('sends the minutes once after the meeting, as a file upload', async () => {
    const after = riga('2026-05-15T10:00');
    clock = after;
    const pdf = Buffer.from('%PDF-1.4 Uzraudzības padomes protokols — 14.05.2026.', 'utf8');
    const recorded = await recordMinutes({
      meetingKey: KEY,
      minutes: { label: 'Protokols Nr. 2', file: { name: 'protokols-2026-05.pdf', mediaType: 'application/pdf', bytes: pdf } },
      decisions: [{ number: 1, text: 'Pieņemt zināšanai.' }],
      actor: 'cli',
      now: after.toJSDate(),
    });
    expect(recorded.ok).toBe(true);
    const before = messages(KRISTAPS.id).length;
    await Promise.all([tick(after), tick(after)]);
    const minutes = await h.fake.nextMessage(dm(KRISTAPS.id), before);
    expect(minutes.text).toContain('Protokols Nr. 2');
    expect(minutes.text).toContain('1. Progress report\nCouncil decision: Pieņemt zināšanai.');
    const file = await h.fake.waitFor(() => files(KRISTAPS.id)[2]);
    expect(file.name).toBe('protokols-2026-05.pdf');
    expect(file.bytes.equals(pdf)).toBe(true);
    await tick(after.plus({ hours: 1 }));
    await outboxDrained();
    expect(await deliveriesByName('meeting.minutes')).toEqual({ [KRISTAPS.name]: 1, [MARTA.name]: 1 });
    expect(messages(KRISTAPS.id)).toHaveLength(before + 1);
    expect(files(KRISTAPS.id)).toHaveLength(3);
    expect((await MeetingModel.findOne({ key: KEY }).orFail().lean()).minutesSentAt).toBeInstanceOf(Date);
  });
});
