import { inboundKeys } from '../../src/domain/chat/inbound-keys.js';
import { expectedHelp } from '../support/help.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { DateTime } from 'luxon';
import type { Redis } from 'ioredis';
import { createTelegramBot } from '../../src/bots/telegram/bot.js';
import { startTelegram, type TelegramRunner } from '../../src/bots/telegram/runner.js';
import { createInvitation } from '../../src/domain/chat/invitations.js';
import { configureProcessCaches, unconfigureProcessCaches } from '../../src/domain/process-caches.js';
import { encodeReminderAction } from '../../src/domain/reminders/reminder-actions.js';
import { t, tBoth } from '../../src/i18n/index.js';
import { createOutbox, produceDeliveries, type Outbox } from '../../src/jobs/outbox.js';
import { startOutboxWorkers, type OutboxWorkers } from '../../src/jobs/outbox-worker.js';
import { reconcileReminders } from '../../src/jobs/reminder-scheduler.js';
import { createTelegramApi, createTelegramSender } from '../../src/bots/telegram/sender.js';
import { createLogger } from '../../src/log.js';
import {
  ChannelIdentityModel,
  ContactModel,
  ConversationStateModel,
  DeliveryModel,
  InboundEventModel,
  MeasureModel,
  StatusReportModel,
} from '../../src/models/index.js';
import { createRedis } from '../../src/redis.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';
import { importDemoContacts, loadShippedPlan, openShippedPlanRound } from '../support/plan.js';
import { LatencyLog, TelegramUser, buttons, labels } from '../support/telegram-user.js';

/**
 * End to end: the real grammY bot long-polling the fake Bot API, the real router and flows on
 * FerretDB, the real outbox (BullMQ on Redis) sending reminders through the real Telegram sender
 * to the same fake. Only Telegram's servers are fake.
 */

useTestDatabase();

const zone = 'Europe/Riga';
const log = createLogger('silent');
const latency = new LatencyLog();
const reminderLatency = new LatencyLog();

let fake: FakeTelegram;
let redis: Redis;
let outbox: Outbox;
let workers: OutboxWorkers;
let runner: TelegramRunner;
/** The bot's clock; the round was opened on 20 January 2026 with the deadline 13 February. */
const clock = DateTime.fromISO('2026-01-30T09:05', { zone }).toJSDate();
let roundId = '';
const measureIds: Record<string, string> = {};

async function startBot(): Promise<TelegramRunner> {
  // No botInfo: the bot asks the fake's getMe, as in production.
  const bot = createTelegramBot({
    token: fake.token,
    apiRoot: fake.apiRoot,
    produce: (messages) => produceDeliveries(outbox, messages),
    log,
    now: () => clock,
  });
  return startTelegram(bot, { token: fake.token, apiRoot: fake.apiRoot, mode: 'polling' }, log);
}

const user = (id: number, language_code = 'lv') => new TelegramUser(fake, id, { latency, from: { language_code } });

async function link(person: TelegramUser, email: string): Promise<void> {
  const contact = await ContactModel.findOne({ email }).lean();
  const { token } = await createInvitation({ contactId: String(contact?._id), actor: 'test', now: clock });
  person.say(`/start ${token}`);
  await person.next(2);
}

/** Reconciles at `iso` (Riga time) and returns the reminders created. */
async function reconcileAt(iso: string): Promise<number> {
  const started = performance.now();
  const result = await reconcileReminders({ now: DateTime.fromISO(iso, { zone }), outbox, log, digests: false });
  reconcileStartedAt = started;
  return result.created;
}
let reconcileStartedAt = 0;

beforeAll(async () => {
  redis = createRedis(inject('redisUrl'));
  const prefix = uniquePrefix();
  outbox = createOutbox({ connection: redis, prefix });
  // As the service runs: plan data and who is writing come from the process caches.
  configureProcessCaches({ redis, prefix });
  fake = await new FakeTelegram().start();
  workers = startOutboxWorkers({
    connection: redis,
    prefix,
    senders: { telegram: createTelegramSender(createTelegramApi({ token: fake.token, apiRoot: fake.apiRoot })) },
    log,
  });
  await loadShippedPlan();
  await importDemoContacts();
  roundId = await openShippedPlanRound({ deadlineDate: '2026-02-13', now: DateTime.fromISO('2026-01-20T10:00', { zone }).toJSDate() });
  for (const measure of await MeasureModel.find({ code: { $in: ['3.3', '3.5'] } }).lean()) measureIds[measure.code] = String(measure._id);
  runner = await startBot();
});

afterAll(async () => {
  const answers = latency.summary();
  const reminders = reminderLatency.summary();
  console.error(
    `[telegram e2e] answer → next bot message at the fake: median ${answers.medianMs} ms, worst ${answers.worstMs} ms over ${answers.count} answers; ` +
      `reconcile → reminder at the fake: median ${reminders.medianMs} ms, worst ${reminders.worstMs} ms over ${reminders.count}`,
  );
  await runner?.stop();
  await workers?.close();
  await outbox?.close();
  unconfigureProcessCaches();
  await redis?.quit();
  await fake?.stop();
});

describe('Telegram end to end (grammY polling, fake Bot API, outbox)', () => {
  const liga = () => user(7001);
  let ligaUser: TelegramUser;

  it('links by deep link, delivers the reminder, and takes a status report in a few taps', async () => {
    ligaUser = liga();
    await link(ligaUser, 'liga.ozola@example.lv');
    expect(ligaUser.botMessages().map((m) => m.text)).toEqual([t('lv', 'invite.accepted', { name: 'Līga Ozola' }), expectedHelp('lv', '/')]);

    // d-14 of a 13 February deadline is Friday 30 January, from 09.00.
    expect(await reconcileAt('2026-01-30T09:00')).toBe(1);
    const reminder = await ligaUser.nextOne();
    reminderLatency.add(fake.sent(7001).at(-1)!.at - reconcileStartedAt);
    const title = (await MeasureModel.findById(measureIds['3.3']).lean())?.title.lv ?? '';
    expect(reminder.text).toBe(t('lv', 'reminder.text', { date: '13.02.2026.', code: '3.3', title }));
    expect(labels(reminder)).toEqual(['Ziņot statusu', 'Atgādināt rīt', 'Nav mans pasākums']);
    expect(buttons(reminder).map((b) => b.callback_data)).toEqual([
      encodeReminderAction({ kind: 'report', roundId, measureId: measureIds['3.3']! }),
      encodeReminderAction({ kind: 'snooze', roundId }),
      encodeReminderAction({ kind: 'decline', roundId, measureId: measureIds['3.3']! }),
    ]);

    ligaUser.press('Ziņot statusu', reminder);
    const statusPrompt = await ligaUser.nextOne();
    expect(statusPrompt.text).toContain(t('lv', 'flow.choose_status'));
    expect(labels(statusPrompt)).toEqual(['nav uzsākts', 'procesā', 'būtisks progress', 'pabeigts', 'kavējas', 'Atcelt']);
    // The pressed reminder's buttons are gone, and the spinner was stopped.
    await fake.waitFor(() => buttons(reminder).length === 0);
    expect(fake.callsTo('answerCallbackQuery').every((c) => c.status === 200)).toBe(true);

    ligaUser.press('procesā');
    expect((await ligaUser.nextOne()).text).toContain(t('lv', 'flow.ask_note', { limit: t('lv', 'count.characters', { count: 1000 }) }));
    const note = 'Sagatavots ziņojuma projekts; notikušas divas tikšanās ar NVO pārstāvjiem.';
    ligaUser.say(note);
    const linksPrompt = await ligaUser.nextOne();
    expect(labels(linksPrompt)).toContain('Bez saitēm');
    ligaUser.press('Bez saitēm');
    const review = await ligaUser.nextOne();
    expect(review.text).toContain('Statuss: procesā');
    expect(review.text).toContain(`Apraksts: ${note}`);
    ligaUser.press('Apstiprināt');
    expect((await ligaUser.nextOne()).text).toBe(t('lv', 'flow.saved', { code: '3.3', status: 'procesā' }));

    const report = await StatusReportModel.findOne({ round: roundId, measure: measureIds['3.3'] }).lean();
    expect(report).toMatchObject({ status: 'in_progress', note, links: [] });
    expect(await ConversationStateModel.countDocuments({})).toBe(0);

    // Later steps (d-7, d-2) find the measure reported: nothing more for it.
    expect(await reconcileAt('2026-02-06T10:00')).toBe(0);
    expect(await reconcileAt('2026-02-11T10:00')).toBe(0);
    expect(await DeliveryModel.countDocuments({ key: { $regex: `^reminder:${roundId}:` }, measures: measureIds['3.3'] })).toBe(1);
  });

  it('asks to choose when text comes where a button is expected, and changes nothing', async () => {
    ligaUser.say('/status');
    const prompt = await ligaUser.nextOne();
    expect(prompt.text).toContain(t('lv', 'flow.choose_status'));
    ligaUser.say('pabeigts');
    const again = await ligaUser.nextOne();
    expect(again.text).toContain(t('lv', 'error.choose_button'));
    expect(labels(again)).toEqual(labels(prompt));
    expect((await StatusReportModel.findOne({ measure: measureIds['3.3'] }).lean())?.status).toBe('in_progress');
    ligaUser.say('/cancel');
    expect((await ligaUser.nextOne()).text).toBe(t('lv', 'flow.cancelled'));
  });

  it('resumes the conversation in a new Bot instance after a restart', async () => {
    const kristaps = user(7002, 'en');
    await link(kristaps, 'kristaps.ozolins@example.lv');
    kristaps.say('/status');
    expect((await kristaps.nextOne()).text).toContain(t('en', 'flow.choose_status'));
    kristaps.press('completed');
    expect((await kristaps.nextOne()).text).toContain('Describe briefly');

    await runner.stop();
    runner = await startBot();

    kristaps.say('The open data portal release is published.');
    expect(labels(await kristaps.nextOne())).toContain('No links');
    kristaps.press('No links');
    expect((await kristaps.nextOne()).text).toContain('Status: completed');
    kristaps.press('Confirm');
    expect((await kristaps.nextOne()).text).toBe(t('en', 'flow.saved', { code: '3.5', status: 'completed' }));
    expect(await StatusReportModel.findOne({ measure: measureIds['3.5'] }).lean()).toMatchObject({
      status: 'completed',
      note: 'The open data portal release is published.',
    });
  });

  it('handles the same update delivered twice once', async () => {
    const kristaps = user(7002, 'en');
    const update = kristaps.say('/mine');
    await kristaps.next(1);
    await kristaps.handled(update);
    fake.redeliver(update);
    const sentinel = kristaps.say('/help');
    await kristaps.handled(sentinel);
    const after = await kristaps.next(1);
    expect(after.map((m) => m.text)).toEqual([expectedHelp('en', '/')]);
    expect(kristaps.unread()).toEqual([]);
    expect(await InboundEventModel.countDocuments({ key: inboundKeys.telegramUpdate(fake.bot.id, update.update_id) })).toBe(1);
  });

  it("refuses a button from another person's conversation or measure and changes nothing", async () => {
    const kristaps = user(7002, 'en');
    ligaUser.say('/status');
    const ligaPrompt = await ligaUser.nextOne();
    const ligaCompleted = buttons(ligaPrompt).find((b) => b.text === 'pabeigts')?.callback_data ?? '';
    const reportsBefore = await StatusReportModel.find({}).lean();

    // Līga's "completed" button, pressed in Kristaps' chat: bound to her conversation, stale for him.
    kristaps.pressData(ligaCompleted);
    expect((await kristaps.nextOne()).text).toContain(t('en', 'error.stale_button'));
    // A reminder button for Līga's measure 3.3, which is not his.
    kristaps.pressData(encodeReminderAction({ kind: 'report', roundId, measureId: measureIds['3.3']! }));
    expect((await kristaps.nextOne()).text).toContain(t('en', 'error.not_your_measure'));
    kristaps.pressData(encodeReminderAction({ kind: 'decline', roundId, measureId: measureIds['3.3']! }));
    expect((await kristaps.nextOne()).text).toBe(t('en', 'error.not_your_measure'));

    expect(await StatusReportModel.find({}).lean()).toEqual(reportsBefore);
    const kristapsContact = await ContactModel.findOne({ email: 'kristaps.ozolins@example.lv' }).lean();
    expect(await ConversationStateModel.countDocuments({ contact: kristapsContact?._id })).toBe(0);
    // Līga's conversation is where she left it: her button still works.
    ligaUser.press('pabeigts', ligaPrompt);
    expect((await ligaUser.nextOne()).text).toContain('Īsi aprakstiet');
    ligaUser.say('/cancel');
    await ligaUser.nextOne();
  });

  it('gives an unknown person only the explanation', async () => {
    const stranger = user(7999);
    stranger.say('Labdien!');
    stranger.say('/status');
    stranger.say('/mine');
    const replies = await stranger.next(3);
    expect(replies.map((m) => m.text)).toEqual(Array(3).fill(tBoth('access.unknown_person')));
    expect(replies.every((m) => buttons(m).length === 0)).toBe(true);
    expect(await ChannelIdentityModel.exists({ channel: 'telegram', externalId: '7999' })).toBeNull();
  });

  it('refuses a used or expired invitation without linking anybody', async () => {
    const janis = await ContactModel.findOne({ email: 'janis.kalnins@example.lv' }).lean();
    const used = await createInvitation({ contactId: String(janis?._id), actor: 'test', now: clock });
    const first = user(7100);
    first.say(`/start ${used.token}`);
    expect((await first.next(2))[0]?.text).toBe(t('lv', 'invite.accepted', { name: 'Jānis Kalniņš' }));

    const second = user(7101);
    second.say(`/start ${used.token}`);
    expect((await second.nextOne()).text).toBe(tBoth('invite.used'));

    const marta = await ContactModel.findOne({ email: 'marta.zarina@example.lv' }).lean();
    const old = await createInvitation({ contactId: String(marta?._id), actor: 'test', now: new Date(clock.getTime() - 15 * 86_400_000) });
    second.say(`/start ${old.token}`);
    expect((await second.nextOne()).text).toBe(tBoth('invite.expired'));
    expect(await ChannelIdentityModel.exists({ channel: 'telegram', externalId: '7101' })).toBeNull();
    expect(String((await ChannelIdentityModel.findOne({ channel: 'telegram', externalId: '7100' }).lean())?.contact)).toBe(String(janis?._id));
  });
});
