import type { Redis } from 'ioredis';
import type { Message } from 'grammy/types';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTelegramBot } from '../../src/bots/telegram/bot.js';
import { startTelegram, type TelegramRunner } from '../../src/bots/telegram/runner.js';
import { createTelegramApi, createTelegramSender } from '../../src/bots/telegram/sender.js';
import { createInvitation } from '../../src/domain/chat/invitations.js';
import { saveMeeting } from '../../src/domain/meetings/meetings.js';
import { recordMinutes } from '../../src/domain/meetings/minutes.js';
import { encodeMeetingAction } from '../../src/domain/meetings/rsvp-actions.js';
import { createOutbox, produceDeliveries, type Outbox } from '../../src/jobs/outbox.js';
import { NO_LIMITS } from '../../src/jobs/outbox-limits.js';
import { startOutboxWorkers, type OutboxWorkers } from '../../src/jobs/outbox-worker.js';
import { reconcileReminders } from '../../src/jobs/reminder-scheduler.js';
import { createLogger } from '../../src/log.js';
import { ChannelIdentityModel, ContactModel, MeetingModel, RsvpModel, rsvpId } from '../../src/models/index.js';
import { createRedis } from '../../src/redis.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { ANNOUNCED, ONLINE_URL, createOrganizer, deliveriesByName, outboxDrained, readCalendar, riga } from '../support/meeting-e2e.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';
import { TelegramUser, buttons, labels } from '../support/telegram-user.js';

/**
 * A council meeting end to end on Telegram: saved from its YAML file as the CLI does, announced by
 * the scheduler's tick through the real outbox and Telegram sender to the fake Bot API (the .ics as
 * sendDocument), answered with the invitation's buttons through the real grammY bot, moved, reminded
 * an hour before and closed with the minutes. The scheduler's and the bot's clock are one settable clock.
 */

useTestDatabase();

const log = createLogger('silent');
const KEY = 'padome-2026-05-tg';
const ANNA = { name: 'Anna Ozola', email: 'anna.ozola@example.lv', chat: 7501 };
const JURIS = { name: 'Juris Kalns', email: 'juris.kalns@example.lv', chat: 7502 };

let clock: DateTime = ANNOUNCED;
let fake: FakeTelegram;
let redis: Redis;
let outbox: Outbox;
let workers: OutboxWorkers;
let runner: TelegramRunner;
let anna: TelegramUser;
let juris: TelegramUser;
let meetingId = '';
let annaId = '';

/** The meeting file as the coordinator writes it; only the times change between saves. */
const yaml = (start: string, end: string) => `
key: ${KEY}
kind: council
title:
  lv: Uzraudzības padomes sēde
  en: Supervisory council meeting
timeZone: Europe/Riga
start: ${start}
end: ${end}
place: Valsts kancelejas Bibliotēka, Brīvības bulvāris 36, Rīga
onlineUrl: ${ONLINE_URL}
registrationDeadline: 2026-05-11 17:00
organizer: ilze.berzina@example.lv
agenda:
  - number: 1
    title: { lv: Progresa ziņojums, en: Progress report }
    presenter: VK
  - number: 2
    title: { lv: 6. plāna izstrāde, en: Drafting the 6th plan }
audience:
  people: [${ANNA.email}, ${JURIS.email}]
`;

const tick = async (at: DateTime) => {
  clock = at;
  const result = await reconcileReminders({ now: at, outbox, log, digests: false });
  expect(result.problems).toBe(0);
  return result.meetings.created;
};

/** The bytes of the document a bot message carries. */
function documentBytes(message: Message): Buffer {
  const id = message.document?.file_id;
  const file = id ? fake.files.get(id) : undefined;
  if (!file) throw new Error(`message ${message.message_id} carries no document`);
  return file.bytes;
}

async function link(person: TelegramUser, email: string): Promise<void> {
  const contact = await ContactModel.findOne({ email }).orFail().lean();
  const { token } = await createInvitation({ contactId: String(contact._id), actor: 'test', now: clock.toJSDate() });
  person.say(`/start ${token}`);
  await person.next(2);
}

beforeAll(async () => {
  await createOrganizer();
  const [a] = await ContactModel.create([
    { name: ANNA.name, email: ANNA.email, institution: 'VARAM', roles: ['forum_member'], language: 'lv', timeZone: 'Europe/Riga' },
    { name: JURIS.name, email: JURIS.email, institution: 'PROVIDUS', roles: ['forum_member'], language: 'lv', timeZone: 'Europe/Riga' },
  ]);
  annaId = String(a!._id);
  redis = createRedis(inject('redisUrl'));
  const prefix = uniquePrefix();
  outbox = createOutbox({ connection: redis, prefix });
  fake = await new FakeTelegram().start();
  workers = startOutboxWorkers({
    connection: redis,
    prefix,
    senders: { telegram: createTelegramSender(createTelegramApi({ token: fake.token, apiRoot: fake.apiRoot })) },
    limits: { telegram: NO_LIMITS },
    log,
  });
  const bot = createTelegramBot({
    token: fake.token,
    apiRoot: fake.apiRoot,
    produce: (messages) => produceDeliveries(outbox, messages),
    log,
    now: () => clock.toJSDate(),
  });
  runner = await startTelegram(bot, { token: fake.token, apiRoot: fake.apiRoot, mode: 'polling' }, log);
  anna = new TelegramUser(fake, ANNA.chat);
  juris = new TelegramUser(fake, JURIS.chat);
  await link(anna, ANNA.email);
  await link(juris, JURIS.email);
});

afterAll(async () => {
  await runner?.stop();
  await workers?.close();
  await outbox?.close();
  await redis?.quit();
  await fake?.stop();
});

describe('a meeting on Telegram', () => {
  let invitation: Message;

  it('sends the invitation once: text in the member’s zone, RSVP and online-link buttons, and the .ics as a document', async () => {
    const saved = await saveMeeting(yaml('2026-05-14 13:00', '2026-05-14 14:30'), { actor: 'cli', now: clock.toJSDate(), defaultTimeZone: 'Europe/Riga' });
    expect(saved).toMatchObject({ ok: true, created: true });
    meetingId = saved.ok ? String(saved.meeting._id) : '';
    expect(await ChannelIdentityModel.countDocuments({ channel: 'telegram' })).toBe(2);

    expect(await tick(ANNOUNCED)).toBe(2);
    const [text, document] = await anna.next(2);
    invitation = text!;
    expect(invitation.text).toBe(
      [
        'Ielūgums: Uzraudzības padomes sēde „Uzraudzības padomes sēde”',
        '',
        'Laiks: 2026. gada 14. maijs, 13.00–14.30',
        'Vieta: Valsts kancelejas Bibliotēka, Brīvības bulvāris 36, Rīga',
        `Tiešsaistē: ${ONLINE_URL}`,
        'Pieteikšanās termiņš: 11.05.2026., plkst. 17.00',
        '',
        'Darba kārtība:',
        '1. Progresa ziņojums (VK)',
        '2. 6. plāna izstrāde',
        '',
        'Lūdzu, atbildiet, vai piedalīsieties.',
        'Pielikumā ir kalendāra fails.',
      ].join('\n'),
    );
    expect(labels(invitation)).toEqual(['Piedalīšos klātienē', 'Piedalīšos tiešsaistē', 'Nepiedalīšos', 'Sūtīšu aizvietotāju']);
    expect(buttons(invitation).map((b) => b.callback_data)).toEqual(
      (['on_site', 'online', 'not_attending', 'deputy'] as const).map((answer) => encodeMeetingAction({ kind: 'answer', answer, meetingId })),
    );
    const rows = invitation.reply_markup?.inline_keyboard.flat() ?? [];
    expect(rows.filter((b) => 'url' in b)).toEqual([{ text: 'Pievienoties tiešsaistē', url: ONLINE_URL }]);

    expect(document?.document?.file_name).toMatch(/\.ics$/);
    const ics = readCalendar(documentBytes(document!));
    expect(ics).toMatchObject({ problems: [], method: 'REQUEST', sequence: 0, start: '2026-05-14T10:00:00.000Z', end: '2026-05-14T11:30:00.000Z' });
    expect(ics.uid).toContain(meetingId);

    await outboxDrained();
    expect(await deliveriesByName('meeting.invitation')).toEqual({ [ANNA.name]: 1, [JURIS.name]: 1 });
    expect(fake.callsTo('sendDocument')).toHaveLength(2);
    expect(juris.unread().map((m) => m.text ?? m.document?.file_name)).toEqual([invitation.text, document?.document?.file_name]);
    await juris.next(2);
  });

  it('stores "on site" pressed under the invitation and confirms it in the chat; a repeated tick sends nothing', async () => {
    anna.press('Piedalīšos klātienē', invitation);
    const confirmation = await anna.nextOne();
    expect(confirmation.text).toBe('Paldies! Jūsu atbilde par „Uzraudzības padomes sēde”: piedalīšos klātienē.\nAtbildi var mainīt līdz 11.05.2026., plkst. 17.00.');
    expect(await RsvpModel.findById(rsvpId(meetingId, annaId)).lean()).toMatchObject({ answer: 'on_site', waitlisted: false });
    expect(labels(confirmation)).toEqual(['Mainīt atbildi']);
    // The pressed invitation loses its answer buttons but keeps the join button, and its text the link.
    const pressed = await fake.waitFor(() => anna.botMessages().find((m) => m.message_id === invitation.message_id && m.edit_date));
    expect(pressed.reply_markup?.inline_keyboard.flat()).toEqual([{ text: 'Pievienoties tiešsaistē', url: ONLINE_URL }]);
    expect(pressed.text).toContain(`Tiešsaistē: ${ONLINE_URL}`);

    const sends = () => fake.callsTo('sendMessage').length + fake.callsTo('sendDocument').length;
    const before = sends();
    expect(await tick(ANNOUNCED.plus({ minutes: 5 }))).toBe(0);
    await outboxDrained();
    expect(sends()).toBe(before);
    expect(anna.unread()).toEqual([]);
  });

  it('takes a deputy through the chat: the name, then the institution, and nothing else', async () => {
    const [jurisInvitation] = juris.botMessages().filter((m) => labels(m).includes('Sūtīšu aizvietotāju'));
    juris.press('Sūtīšu aizvietotāju', jurisInvitation);
    expect((await juris.nextOne()).text).toBe(
      '„Uzraudzības padomes sēde”\nKā sauc jūsu aizvietotāju? Lūdzu, nosūtiet tikai vārdu un uzvārdu (ne vairāk kā 100 rakstzīmes).',
    );
    juris.say('Līga Kalniņa');
    expect((await juris.nextOne()).text).toBe('Kuru institūciju vai organizāciju pārstāvēs Līga Kalniņa? (ne vairāk kā 100 rakstzīmes)');
    juris.say('Sabiedriskās politikas centrs PROVIDUS');
    expect((await juris.nextOne()).text).toBe(
      'Paldies! Jūsu atbilde par „Uzraudzības padomes sēde”: sūtu aizvietotāju: Līga Kalniņa (Sabiedriskās politikas centrs PROVIDUS).\nAtbildi var mainīt līdz 11.05.2026., plkst. 17.00.',
    );
    const jurisId = String((await ContactModel.findOne({ email: JURIS.email }).orFail().lean())._id);
    const rsvp = await RsvpModel.findById(rsvpId(meetingId, jurisId)).lean();
    expect(rsvp).toMatchObject({ answer: 'deputy', deputy: { name: 'Līga Kalniņa', institution: 'Sabiedriskās politikas centrs PROVIDUS' } });
  });

  it('sends one change notice with a new .ics (SEQUENCE:1) when the coordinator moves the start', async () => {
    clock = riga('2026-05-06T10:00');
    const moved = await saveMeeting(yaml('2026-05-14 14:00', '2026-05-14 15:30'), { actor: 'cli', now: clock.toJSDate(), defaultTimeZone: 'Europe/Riga' });
    expect(moved).toMatchObject({ ok: true, created: false, changes: ['time'] });

    expect(await tick(clock)).toBe(2);
    const [notice, document] = await anna.next(2);
    expect(notice?.text).toContain('Izmaiņas: Uzraudzības padomes sēde „Uzraudzības padomes sēde”\nMainīts: laiks.');
    expect(notice?.text).toContain('Laiks: 2026. gada 14. maijs, 14.00–15.30');
    expect(notice?.text).toContain('Pielikumā ir atjaunināts kalendāra fails.');
    const ics = readCalendar(documentBytes(document!));
    expect(ics).toMatchObject({ problems: [], method: 'REQUEST', sequence: 1, start: '2026-05-14T11:00:00.000Z' });

    expect(await tick(clock.plus({ minutes: 1 }))).toBe(0);
    await outboxDrained();
    expect(await deliveriesByName('meeting.change')).toEqual({ [ANNA.name]: 1, [JURIS.name]: 1 });
    expect(anna.unread()).toEqual([]);
    await juris.next(2);
  });

  it('reminds those coming exactly one hour before the new start, once', async () => {
    // The day before, at the start's clock time: the first reminder.
    expect(await tick(riga('2026-05-13T14:00'))).toBe(2);
    expect((await anna.nextOne()).text).toBe('Atgādinājums: Uzraudzības padomes sēde „Uzraudzības padomes sēde” sākas 14.05.2026., plkst. 14.00.\nVieta: Valsts kancelejas Bibliotēka, Brīvības bulvāris 36, Rīga\nTiešsaistē: https://meet.example.lv/padome-maijs');
    await juris.nextOne();

    // A second before the hour: nothing; at the hour: the reminder, and not again.
    expect(await tick(riga('2026-05-14T12:59:59'))).toBe(0);
    expect(await tick(riga('2026-05-14T13:00'))).toBe(2);
    expect(await tick(riga('2026-05-14T13:00'))).toBe(0);
    expect(await tick(riga('2026-05-14T13:30'))).toBe(0);
    const reminder = await anna.nextOne();
    expect(reminder.text).toMatch(/^Atgādinājums: Uzraudzības padomes sēde „Uzraudzības padomes sēde” sākas 14\.05\.2026\., plkst\. 14\.00\./);
    expect(reminder.reply_markup?.inline_keyboard.flat()).toEqual([{ text: 'Pievienoties tiešsaistē', url: ONLINE_URL }]);
    await outboxDrained();
    expect(await deliveriesByName('meeting.reminder')).toEqual({ [ANNA.name]: 2, [JURIS.name]: 2 });
    expect(anna.unread()).toEqual([]);
    await juris.nextOne();
  });

  it('sends the minutes once after the meeting', async () => {
    const after = riga('2026-05-15T10:00');
    clock = after;
    const recorded = await recordMinutes({
      meetingKey: KEY,
      minutes: { label: 'Protokols Nr. 2', url: 'https://www.mk.gov.lv/protokols-2026-05.pdf' },
      decisions: [{ number: 1, text: 'Pieņemt zināšanai.' }],
      actor: 'cli',
      now: after.toJSDate(),
    });
    expect(recorded.ok).toBe(true);
    await Promise.all([tick(after), tick(after)]);
    const minutes = await anna.nextOne();
    expect(minutes.text).toContain('Protokols Nr. 2');
    expect(minutes.text).toContain('1. Progresa ziņojums\nPadomes lēmums: Pieņemt zināšanai.');
    expect(JSON.stringify(minutes.reply_markup)).toContain('https://www.mk.gov.lv/protokols-2026-05.pdf');
    await tick(after.plus({ hours: 1 }));
    await outboxDrained();
    expect(await deliveriesByName('meeting.minutes')).toEqual({ [ANNA.name]: 1, [JURIS.name]: 1 });
    expect(anna.unread()).toEqual([]);
    expect((await MeetingModel.findOne({ key: KEY }).orFail().lean()).minutesSentAt).toBeInstanceOf(Date);
  });
});
