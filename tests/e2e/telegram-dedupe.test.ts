import { inboundKeys } from '../../src/domain/chat/inbound-keys.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { DateTime } from 'luxon';
import type { Message, Update } from 'grammy/types';
import { createTelegramBot } from '../../src/bots/telegram/bot.js';
import { TELEGRAM_WEBHOOK_PATH, startTelegram, type TelegramRunner } from '../../src/bots/telegram/runner.js';
import { TEMPORARY_ERROR } from '../../src/bots/telegram/texts.js';
import { createInvitation } from '../../src/domain/chat/invitations.js';
import { createHttpServer, listen, type Route } from '../../src/http/server.js';
import { t } from '../../src/i18n/index.js';
import type { Language } from '../../src/models/shared.js';
import { ContactModel, ConversationStateModel, InboundEventModel } from '../../src/models/index.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { useTestDatabase } from '../support/mongo.js';
import { importDemoContacts, loadShippedPlan, openShippedPlanRound } from '../support/plan.js';
import { TelegramUser } from '../support/telegram-user.js';
import { errorRecordingLog, errorTexts } from '../support/error-watch.js';
import { untilQuiet } from '../support/waiters.js';

/**
 * The same Telegram update_id delivered twice is handled once (issue 6, item 4), in both delivery
 * modes: long polling, where the fake hands the update out again in getUpdates (later, or twice in
 * one batch), and webhook, where the same update JSON is POSTed twice with the secret (one after
 * the other, or both at once). A text message and a button press (callback query) each get one
 * answer; the repeated press still gets its answerCallbackQuery, so no spinner is left turning,
 * and nobody is shown an error.
 */

useTestDatabase();

const zone = 'Europe/Riga';
const clock = DateTime.fromISO('2026-01-30T09:05', { zone }).toJSDate();
const secret = 'dedupe_webhook-secret-0123456789';

/** What the bots logged at error level (a failed update): none of it is expected here. */
const { log, errorsLogged } = errorRecordingLog();
const ERROR_TEXTS = errorTexts(TEMPORARY_ERROR);

/** Resolves once `fake` has had no call for `quietMs` (apart from polling waiting for updates). */
const idle = (fake: FakeTelegram, quietMs?: number) => untilQuiet(() => fake.calls.filter((c) => c.method !== 'getUpdates').length, quietMs);

interface Mode {
  /** Hands the bot `update` once and waits until it was handled. */
  deliverOnce(update: Update): Promise<void>;
  /** Hands the bot `update` twice; `together`: before the bot has seen it, otherwise after it handled it. */
  deliverTwice(update: Update, together: boolean): Promise<void>;
}

/**
 * Polling: grammY asks getUpdates, handles the batch one update after another, then asks again;
 * a getUpdates call after the last one that handed `update` out means it was handled.
 */
function pollingMode(fake: FakeTelegram): Mode {
  const carrying = (update: Update) =>
    fake.callsTo('getUpdates').map((c) => (c.result as Update[] | undefined)?.filter((u) => u.update_id === update.update_id).length ?? 0);
  const handedOutAndDone = async (update: Update, times: number): Promise<void> => {
    await fake.waitFor(() => {
      const counts = carrying(update);
      const last = counts.length - 1 - [...counts].reverse().findIndex((n) => n > 0);
      return counts.reduce((sum, n) => sum + n, 0) >= times && last < counts.length - 1;
    });
  };
  return {
    deliverOnce: (update) => handedOutAndDone(update, 1),
    async deliverTwice(update, together) {
      if (together) {
        // Queued by the person's action and not yet fetched: the fake hands it out twice in one batch.
        fake.redeliver(update);
        await handedOutAndDone(update, 2);
        expect(carrying(update).filter((n) => n > 0)).toEqual([2]);
      } else {
        await handedOutAndDone(update, 1);
        fake.redeliver(update);
        await handedOutAndDone(update, 2);
        expect(carrying(update).filter((n) => n > 0)).toEqual([1, 1]);
      }
    },
  };
}

/** Webhook: the fake POSTs the update to our route with the secret; each POST answers once handled. */
function webhookMode(fake: FakeTelegram): Mode {
  return {
    async deliverOnce(update) {
      expect(await fake.deliverToWebhook(update)).toBe(200);
    },
    async deliverTwice(update, together) {
      const statuses = together
        ? await Promise.all([fake.deliverToWebhook(update), fake.deliverToWebhook(update)])
        : [await fake.deliverToWebhook(update), await fake.deliverToWebhook(update)];
      expect(statuses).toEqual([200, 200]);
    },
  };
}

let fake: FakeTelegram;
let runner: TelegramRunner | undefined;
let server: Server;
let webhookUrl = '';
/** The HTTP server reads its route list per request, so the webhook route can join later. */
const routes: Route[] = [];

function bot() {
  return createTelegramBot({ token: fake.token, apiRoot: fake.apiRoot, produce: async () => undefined, log, now: () => clock });
}

/** One bot, first long-polling, then moved to webhook mode: its update_ids go on from where they were. */
async function startPolling(): Promise<Mode> {
  runner = await startTelegram(bot(), { token: fake.token, apiRoot: fake.apiRoot, mode: 'polling' }, log);
  return pollingMode(fake);
}

async function startWebhook(): Promise<Mode> {
  await runner?.stop();
  runner = await startTelegram(bot(), { token: fake.token, apiRoot: fake.apiRoot, mode: 'webhook', webhookSecret: secret, webhookUrl }, log);
  routes.push(runner.route!);
  return webhookMode(fake);
}

beforeAll(async () => {
  fake = await new FakeTelegram().start();
  await loadShippedPlan();
  await importDemoContacts();
  await openShippedPlanRound({ deadlineDate: '2026-02-13', now: DateTime.fromISO('2026-01-20T10:00', { zone }).toJSDate() });
  server = createHttpServer(routes, log);
  webhookUrl = `http://127.0.0.1:${await listen(server, 0)}${TELEGRAM_WEBHOOK_PATH}`;
});

afterAll(async () => {
  await runner?.stop();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await fake?.stop();
});

describe.each([
  { name: 'polling', start: startPolling, chatId: 7301, email: 'liga.ozola@example.lv', lang: 'lv' as Language },
  { name: 'webhook', start: startWebhook, chatId: 7302, email: 'kristaps.ozolins@example.lv', lang: 'en' as Language },
])('the same update_id twice, $name', ({ start, chatId, email, lang }) => {
  let mode: Mode;
  let person: TelegramUser;

  /** The person's update, delivered once; returns the bot's answers. */
  async function once(update: Update, answers = 1): Promise<Message[]> {
    await mode.deliverOnce(update);
    return person.next(answers);
  }

  /** The person's update delivered twice; afterwards, what the bot did in their chat meanwhile. */
  async function twice(update: Update, together: boolean) {
    const calls = fake.calls.length;
    await mode.deliverTwice(update, together);
    await idle(fake);
    const since = fake.calls.slice(calls);
    const inChat = (method: string) => since.filter((c) => c.method === method && Number(c.params.chat_id) === chatId);
    const shown = person.unread();
    if (shown.length > 0) await person.next(shown.length);
    return {
      sends: inChat('sendMessage'),
      edits: inChat('editMessageReplyMarkup'),
      answered: since.filter((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === update.callback_query?.id),
      shown,
    };
  }

  /** One message with `answer`, no error text, the update's key claimed once, nothing logged as an error. */
  async function expectOnce(update: Update, shown: Message[], answer: string): Promise<void> {
    expect(shown).toHaveLength(1);
    expect(shown[0]?.text).toContain(answer);
    expect(ERROR_TEXTS.filter((text) => shown.some((m) => (m.text ?? '').includes(text)))).toEqual([]);
    expect(await InboundEventModel.countDocuments({ key: inboundKeys.telegramUpdate(fake.bot.id, update.update_id) })).toBe(1);
    expect(errorsLogged).toEqual([]);
  }

  /** Ends whatever conversation the person has going (a failed test may have left one) and reads the chat up. */
  async function reset(): Promise<void> {
    await mode.deliverOnce(person.say('/cancel'));
    await idle(fake, 100);
    const unread = person.unread().length;
    if (unread > 0) await person.next(unread);
  }

  beforeAll(async () => {
    mode = await start();
    person = new TelegramUser(fake, chatId, { from: { language_code: lang } });
    const contact = await ContactModel.findOne({ email }).orFail().lean();
    const { token } = await createInvitation({ contactId: String(contact._id), actor: 'test', now: clock });
    await once(person.say(`/start ${token}`), 2);
  });

  describe.each([
    { timing: 'after the first was handled', together: false },
    { timing: 'before the first was handled', together: true },
  ])('$timing', ({ together }) => {
    it('a text message: the note is taken once and the next question asked once', async () => {
      await reset();
      await once(person.say('/status'));
      await once(person.press(t(lang, 'status.in_progress')));
      const note = `Grozījumi nodoti saskaņošanai (${together ? 'kopā' : 'pēc tam'}).`;
      const update = person.say(note);

      const { sends, shown } = await twice(update, together);
      expect(sends).toHaveLength(1);
      await expectOnce(update, shown, t(lang, 'flow.ask_links', { max: 5, skip: lang === 'lv' ? 'Bez saitēm' : 'No links' }));
      const contact = await ContactModel.findOne({ email }).orFail().lean();
      expect(JSON.stringify(await ConversationStateModel.findOne({ contact: contact._id }).lean())).toContain(note);
    });

    it('a button press (callback query): one answer, the keyboard removed once, the spinner stopped for both', async () => {
      await reset();
      await once(person.say('/status'));
      const update = person.press(t(lang, 'status.in_progress'));

      const { sends, edits, answered, shown } = await twice(update, together);
      expect(sends).toHaveLength(1);
      expect(edits).toHaveLength(1);
      // Each delivery answers the query at once, whatever the outcome; Telegram takes the first.
      expect(answered).toHaveLength(2);
      expect(answered.filter((c) => c.status === 200)).toHaveLength(1);
      await expectOnce(update, shown, t(lang, 'flow.ask_note', { limit: t(lang, 'count.characters', { count: 1000 }) }));
    });
  });
});
