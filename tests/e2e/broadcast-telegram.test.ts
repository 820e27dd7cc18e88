import type { Redis } from 'ioredis';
import type { Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTelegramBot } from '../../src/bots/telegram/bot.js';
import { startTelegram, type TelegramRunner } from '../../src/bots/telegram/runner.js';
import { createTelegramApi, createTelegramSender } from '../../src/bots/telegram/sender.js';
import { fanOutBroadcast, MAX_BROADCAST_TEXT } from '../../src/domain/broadcasts/broadcasts.js';
import { t } from '../../src/i18n/index.js';
import { createBroadcastQueue, startBroadcastWorker, sweepBroadcasts, type BroadcastQueue, type BroadcastWorker } from '../../src/jobs/broadcast-queue.js';
import { createOutbox, produceDeliveries, type Outbox } from '../../src/jobs/outbox.js';
import type { ChannelLimits } from '../../src/jobs/outbox-limits.js';
import { startOutboxWorkers, type OutboxWorkers } from '../../src/jobs/outbox-worker.js';
import { BroadcastModel, ContactModel } from '../../src/models/index.js';
import { createRedis } from '../../src/redis.js';
import { broadcastDeliveries, closeBroadcastQueues, deliveryStates, kickingThrice, lastBroadcastId, seedPeople, sleep, type Person } from '../support/broadcast-e2e.js';
import { errorRecordingLog } from '../support/error-watch.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';
import { TelegramUser, labels } from '../support/telegram-user.js';
import { untilQuiet } from '../support/waiters.js';

/**
 * Broadcasts end to end on Telegram: a coordinator composes one with /broadcast through the real
 * grammY bot, reads the preview, confirms; the real broadcast queue (two workers) fans it out and
 * the real outbox worker and Telegram sender deliver it to the fake Bot API, while the author's
 * progress message is edited in place and a report follows. The outbox sends slowly (1 or 10 a
 * second) so that the broadcast is still going when the progress is looked at or the cancel is pressed.
 */

useTestDatabase();

const { log, errorsLogged } = errorRecordingLog();
const tg = (chat: number) => ({ telegram: { externalId: String(chat), address: String(chat) } });
const ILZE: Person = { name: 'Ilze Bērziņa', email: 'ilze@vk.example', roles: ['coordinator'], language: 'lv', chats: tg(8101) };
const ANNA: Person = { name: 'Anna Ozola', email: 'anna@varam.example', roles: ['forum_member'], language: 'lv', chats: tg(8102) };
const KRISTAPS: Person = { name: 'Kristaps Ozoliņš', email: 'kristaps@providus.example', roles: ['partner'], language: 'en', timeZone: 'Europe/London', chats: tg(8103) };
/** Linked on both platforms and prefers Telegram: one copy, there. No Slack worker runs here, so a Slack copy would never settle. */
const MARTA: Person = {
  name: 'Marta Zariņa',
  email: 'marta@fm.example',
  roles: ['contact_person'],
  language: 'en',
  chats: { ...tg(8104), slack: { externalId: 'UMARTA001', address: 'DMARTA001' } },
  prefer: 'telegram',
};
const JURIS: Person = { name: 'Juris Kalns', email: 'juris@lps.example', roles: ['forum_member'], language: 'lv' };
const LIGA: Person = { name: 'Līga Liepa', email: 'liga@delna.example', roles: ['forum_member'], language: 'lv', chats: tg(8106), muteBroadcasts: true };
const chatOf = (p: Person) => Number(p.chats?.telegram?.address);

const LV_TEXT = 'Aicinām uz foruma sēdi 14. maijā: darba kārtībā 6. plāna izstrāde.';
const EN_TEXT = 'Join the forum meeting on 14 May: drafting the 6th plan is on the agenda.';
const LINK = 'https://www.mk.gov.lv/lv/ogp-forums';

let fake: FakeTelegram;
let redis: Redis;
let prefix = '';
let outbox: Outbox;
let outboxWorkers: OutboxWorkers;
let queue: BroadcastQueue;
let broadcastWorkers: BroadcastWorker[] = [];
let runner: TelegramRunner;

function startSending(telegram: Partial<ChannelLimits>): void {
  const sender = createTelegramSender(createTelegramApi({ token: fake.token, apiRoot: fake.apiRoot }));
  outboxWorkers = startOutboxWorkers({ connection: redis, prefix, senders: { telegram: sender }, limits: { telegram }, log });
}

/** Successful sendMessage calls carrying `text` to `chat`. */
const copiesIn = (chat: number, texts: string[]) => fake.sent(chat).filter((c) => texts.includes(String(c.params.text)));
const progressSends = (chat: number) => fake.sent(chat).filter((c) => /^Nosūtīts /.test(String(c.params.text)));
const editsOf = (chat: number, messageId: number) =>
  fake.callsTo('editMessageText').filter((c) => Number(c.params.chat_id) === chat && Number(c.params.message_id) === messageId);

beforeAll(async () => {
  await seedPeople([ILZE, ANNA, KRISTAPS, MARTA, JURIS, LIGA]);
  redis = createRedis(inject('redisUrl'));
  prefix = uniquePrefix();
  outbox = createOutbox({ connection: redis, prefix });
  fake = await new FakeTelegram().start();
  queue = createBroadcastQueue({ connection: redis, prefix, outbox });
  // Two broadcast workers, as two worker processes would run.
  broadcastWorkers = [0, 1].map(() => startBroadcastWorker({ connection: redis, prefix, outbox, log }));
  const produce = (messages: Parameters<typeof produceDeliveries>[1]) => produceDeliveries(outbox, messages);
  const bot = createTelegramBot({ token: fake.token, apiRoot: fake.apiRoot, produce, log, broadcasts: kickingThrice(queue, produce) });
  runner = await startTelegram(bot, { token: fake.token, apiRoot: fake.apiRoot, mode: 'polling' }, log);
});

afterAll(async () => {
  await runner?.stop();
  await closeBroadcastQueues({ broadcastWorkers, outboxWorkers, queue, outbox });
  await redis?.quit();
  await fake?.stop();
});

describe('a broadcast on Telegram', () => {
  it('previews the counts per channel and the unreachable, then gives each person one copy in their language while the progress message is edited', async () => {
    // One send every two seconds: the broadcast (4 copies, the progress message and its edits) takes
    // several progress windows (PROGRESS_WINDOW_MS, 4 s).
    startSending({ global: { max: 1, duration: 2_000 }, spacingMs: false, perAddressMs: 1_000 });
    const ilze = new TelegramUser(fake, chatOf(ILZE), { timeoutMs: 20_000 });

    ilze.say('/broadcast');
    const audience = await ilze.nextOne();
    expect(audience.text).toBe('Kam sūtīt apkārtrakstu?');
    expect(labels(audience)).toEqual([
      'Visi',
      'Foruma dalībnieki',
      'Kontaktpersonas',
      'Koordinatori',
      'Partneri',
      'Pasākumu atbildīgie',
      'Iestādes…',
      'Apņemšanās…',
      'Sanāksmes dalībnieki…',
      'Atcelt',
    ]);
    ilze.press('Visi', audience);
    expect((await ilze.nextOne()).text).toBe(t('lv', 'broadcast.ask.text_lv', { max: MAX_BROADCAST_TEXT }));
    ilze.say(LV_TEXT);
    expect(labels(await ilze.nextOne())).toEqual(['Bez angļu teksta', 'Atcelt']);
    ilze.say(EN_TEXT);
    expect(labels(await ilze.nextOne())).toEqual(['Bez saites', 'Atcelt']);
    ilze.say(LINK);
    const when = await ilze.nextOne();
    expect(when.text).toBe('Kad sūtīt? Tagad vai ierakstiet laiku (GGGG-MM-DD SS:MM, Rīgas laikā).');
    ilze.press('Tagad', when);

    const [lvPreview, enPreview, summary] = await ilze.next(3);
    expect(lvPreview!.text).toBe(`Priekšskatījums (latviski):\n\n${LV_TEXT}`);
    expect(lvPreview!.reply_markup?.inline_keyboard.flat()).toEqual([{ text: 'Atvērt', url: LINK }]);
    expect(enPreview!.text).toBe(`Priekšskatījums (angliski):\n\n${EN_TEXT}`);
    expect(enPreview!.reply_markup?.inline_keyboard.flat()).toEqual([{ text: 'Open', url: LINK }]);
    // Six people: four copies on Telegram (Marta's once, on her preferred chat), Līga muted and
    // counted apart, Juris by name as unreachable.
    expect(summary!.text).toBe(
      [
        'Saņēmēji: visi — 6 cilvēki',
        'Telegram: 4 · Slack: 0',
        'Nesasniedzami (nav piesaistīta čata) 1: Juris Kalns',
        'Izslēguši apkārtrakstus (nesaņems): 1',
        'Sūtīt: tūlīt pēc apstiprināšanas.',
      ].join('\n'),
    );
    expect(labels(summary)).toEqual(['Apstiprināt un sūtīt', 'Atcelt']);
    const id = await lastBroadcastId();
    expect(await BroadcastModel.findById(id).lean()).toMatchObject({ state: 'draft', text: { lv: LV_TEXT, en: EN_TEXT }, link: { url: LINK } });
    expect(await broadcastDeliveries(id)).toEqual([]);

    ilze.press('Apstiprināt un sūtīt', summary);
    const report = await fake.waitFor(() => ilze.botMessages().find((m) => m.text?.startsWith('Apkārtraksts pabeigts')), 30_000);
    expect(report.text).toBe(
      ['Apkārtraksts pabeigts: nosūtīts 4 no 4.', 'Nesasniedzami (nav piesaistīta čata vai bloķējuši) 1: Juris Kalns', 'Izlaisti (izslēguši apkārtrakstus): 1'].join('\n'),
    );
    expect(labels(report)).toEqual([]);
    expect(ilze.botMessages().map((m) => m.text)).toContain('Apkārtraksts tiek sūtīts. Progress būs redzams nākamajā ziņā.');

    // One copy each, in their language (with the link button in it); none for the muted.
    const both = [LV_TEXT, EN_TEXT];
    expect(copiesIn(chatOf(ILZE), both).map((c) => c.params.text)).toEqual([LV_TEXT]);
    expect(copiesIn(chatOf(ANNA), both).map((c) => c.params.text)).toEqual([LV_TEXT]);
    expect(copiesIn(chatOf(KRISTAPS), both).map((c) => c.params.text)).toEqual([EN_TEXT]);
    expect(copiesIn(chatOf(MARTA), both).map((c) => c.params.text)).toEqual([EN_TEXT]);
    expect(copiesIn(chatOf(LIGA), both)).toEqual([]);
    expect(fake.sent().filter((c) => both.includes(String(c.params.text)))).toHaveLength(4);
    const kristapsCopy = (fake.chats.get(chatOf(KRISTAPS)) ?? []).find((m) => m.text === EN_TEXT);
    expect(kristapsCopy?.reply_markup?.inline_keyboard.flat()).toEqual([{ text: 'Open', url: LINK }]);

    // The records: one per person with a chat, Marta's on Telegram only; Līga's skipped with the reason.
    const ids = await ContactModel.find({}, { name: 1 }).lean();
    const nameOf = new Map(ids.map((c) => [String(c._id), c.name]));
    const rows = (await broadcastDeliveries(id)).map((d) => [nameOf.get(String(d.contact)), d.channel, d.state, d.heldReason ?? null]);
    expect(rows.sort()).toEqual([
      [ANNA.name, 'telegram', 'sent', null],
      [ILZE.name, 'telegram', 'sent', null],
      [KRISTAPS.name, 'telegram', 'sent', null],
      [LIGA.name, 'telegram', 'skipped', 'muted_broadcasts'],
      [MARTA.name, 'telegram', 'sent', null],
    ]);

    // The progress message was sent once and then edited in place, the last edit the final count.
    const [progress, ...resent] = progressSends(chatOf(ILZE));
    expect(resent).toEqual([]);
    expect(progress!.params.text).toBe('Nosūtīts 0 no 4 · 1 nesasniedzami');
    const progressId = (progress!.result as Message).message_id;
    // The final edit and the report are queued together; either may reach Telegram first.
    const live = await fake.waitFor(() => ilze.botMessages().find((m) => m.message_id === progressId && labels(m).length === 0));
    expect(live.text).toBe('Nosūtīts 4 no 4 · 1 nesasniedzami');
    const edits = editsOf(chatOf(ILZE), progressId).filter((c) => c.status === 200);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    const counts = edits.map((c) => Number(/^Nosūtīts (\d+) no 4 · 1 nesasniedzami$/.exec(String(c.params.text))?.[1]));
    expect(counts[0]).toBeLessThan(4);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts.at(-1)).toBe(4);
    expect(await BroadcastModel.findById(id).lean()).toMatchObject({ state: 'sent', recipients: 5, unreachable: [JURIS.name], unreachableCount: 1 });
    expect(errorsLogged).toEqual([]);
  });

  it('sends once although it was kicked three times and fanned out three times (two jobs on two workers, one direct run), and not again later', async () => {
    const id = await lastBroadcastId();
    // The kicker above added a second fan-out job (another instant), and either worker ran one.
    const fanouts = (await queue.queue.getJobs(['completed'])).filter((job) => job.name === 'fanout' && job.data.broadcastId === id);
    expect(fanouts).toHaveLength(2);
    expect(await deliveryStates(id)).toEqual({ sent: 4, skipped: 1 });

    const sends = fake.sent().length;
    expect(await fanOutBroadcast(id, new Date(), (messages) => produceDeliveries(outbox, messages))).toEqual({ written: 0, state: 'sent' });
    expect(await sweepBroadcasts(queue, new Date())).toBe(0);
    await sleep(1_500);
    expect(fake.sent().length).toBe(sends);
    expect(await deliveryStates(id)).toEqual({ sent: 4, skipped: 1 });
  });

  it('stops the rest when the coordinator presses "Apturēt" under the progress message mid-way', async () => {
    await outboxWorkers.close();
    // 150 more partners (Kristaps is one too); ten sends a second, so the batch would take 15 s.
    const partners: Person[] = Array.from({ length: 150 }, (_, i) => ({
      name: `Partneris ${String(i).padStart(3, '0')}`,
      email: `partner${i}@ngo.example`,
      roles: ['partner'],
      language: i % 2 === 0 ? 'lv' : 'en',
      chats: tg(20_000 + i),
    }));
    await seedPeople(partners);
    const partnerChats = new Set(partners.map(chatOf));
    const inBatch = (chat: unknown) => partnerChats.has(Number(chat)) || Number(chat) === chatOf(KRISTAPS);
    startSending({ global: { max: 10, duration: 1_000 }, spacingMs: false, perAddressMs: 1_000 });
    const ilze = new TelegramUser(fake, chatOf(ILZE), { timeoutMs: 10_000 });
    const text = 'Partneru tikšanās pārcelta uz 21. maiju.';

    ilze.say('/broadcast');
    ilze.press('Partneri', await ilze.nextOne());
    await ilze.nextOne();
    ilze.say(text);
    ilze.press('Bez angļu teksta', await ilze.nextOne());
    ilze.press('Bez saites', await ilze.nextOne());
    ilze.press('Tagad', await ilze.nextOne());
    // No English text: one preview, in Latvian, then the summary.
    const [preview, summary] = await ilze.next(2);
    expect(preview!.text).toBe(`Priekšskatījums (latviski):\n\n${text}`);
    expect(summary!.text).toBe(['Saņēmēji: partneri — 151 cilvēki', 'Telegram: 151 · Slack: 0', 'Visi ir sasniedzami.', 'Sūtīt: tūlīt pēc apstiprināšanas.'].join('\n'));
    const id = await lastBroadcastId();

    ilze.press('Apstiprināt un sūtīt', summary);
    const batchSends = () => fake.sent().filter((c) => inBatch(c.params.chat_id) && c.params.text === text);
    await fake.waitFor(() => batchSends().length >= 20, 15_000);
    const cancelId = `bc:x:${id}`;
    const progress = await fake.waitFor(() => ilze.botMessages().find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data === cancelId)));
    expect(progress.text).toMatch(/^Nosūtīts \d+ no 151 · 0 nesasniedzami$/);
    ilze.press('Apturēt', progress);
    const stoppedReply = await fake.waitFor(() => ilze.botMessages().find((m) => m.text?.startsWith('Apkārtraksts apturēts;')));
    expect(stoppedReply.text).toMatch(/^Apkārtraksts apturēts; vēl nenosūtītās ziņas \(\d+\) netiks sūtītas\.$/);

    const report = await fake.waitFor(() => ilze.botMessages().find((m) => m.text?.startsWith('Apkārtraksts apturēts:')), 15_000);
    // Sends already handed to the platform when the cancel came finish; then nothing more.
    await untilQuiet(() => batchSends().length, 500);
    const sentAtCancel = batchSends().length;
    await sleep(2_000);
    expect(batchSends().length).toBe(sentAtCancel);
    expect(sentAtCancel).toBeLessThan(151 / 2);

    // Everyone who got it got it once, in Latvian (no English was given), and the records agree.
    const chatsReached = batchSends().map((c) => Number(c.params.chat_id));
    expect(new Set(chatsReached).size).toBe(chatsReached.length);
    expect(chatsReached.some((chat) => partners.find((p) => chatOf(p) === chat)?.language === 'en')).toBe(true);
    const deliveries = await broadcastDeliveries(id);
    expect(deliveries).toHaveLength(151);
    const states = await deliveryStates(id);
    expect(states).toEqual({ sent: sentAtCancel, cancelled: 151 - sentAtCancel });
    expect(deliveries.filter((d) => d.state === 'cancelled').every((d) => d.lastError?.code === 'broadcast_cancelled')).toBe(true);
    expect(report.text).toBe([`Apkārtraksts apturēts: nosūtīts ${sentAtCancel} no 151.`, `Nesūtīti apturēšanas dēļ: ${151 - sentAtCancel}`].join('\n'));
    expect(await BroadcastModel.findById(id).lean()).toMatchObject({ state: 'cancelled', cancelledBy: expect.any(String) });
    expect(await fanOutBroadcast(id, new Date(), (messages) => produceDeliveries(outbox, messages))).toEqual({ written: 0, state: 'cancelled' });
    expect(errorsLogged).toEqual([]);
  });
});
