import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramBot } from '../../src/bots/telegram/bot.js';
import { startTelegram, type TelegramRunner } from '../../src/bots/telegram/runner.js';
import { createLogger } from '../../src/log.js';
import { t } from '../../src/i18n/index.js';
import { ChannelIdentityModel, ContactModel } from '../../src/models/index.js';
import { expectedHelp } from '../support/help.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { useTestDatabase } from '../support/mongo.js';
import { TelegramUser } from '../support/telegram-user.js';

/**
 * Polling handles updates side by side (grammY's runner), each chat's in order (sequentialize):
 * one person whose chat is slow does not hold up everyone else, and a pressed button is answered
 * at once, not after the chat's earlier updates. The real grammY bot and runner against the fake.
 */

useTestDatabase();

const SLOW = 7101;
const QUICK = 7102;
let fake: FakeTelegram;
let runner: TelegramRunner;

beforeAll(async () => {
  fake = await new FakeTelegram().start();
  for (const [chat, name] of [
    [SLOW, 'Ilze Lēnā'],
    [QUICK, 'Pēteris Ātrais'],
  ] as const) {
    const contact = await ContactModel.create({ name, email: `${chat}@example.lv`, roles: ['contact_person'] });
    await ChannelIdentityModel.create({ contact: contact._id, channel: 'telegram', externalId: String(chat), address: String(chat) });
  }
  const log = createLogger('silent');
  const bot = createTelegramBot({ token: fake.token, apiRoot: fake.apiRoot, produce: async () => undefined, log });
  runner = await startTelegram(bot, { token: fake.token, apiRoot: fake.apiRoot, mode: 'polling' }, log);
});

afterAll(async () => {
  await runner?.stop();
  await fake?.stop();
});

const help = expectedHelp('lv', '/', ['contact_person']);

/** Resolves once the bot has sent (or tried to send) a message to `chat` since call number `from`. */
const sendingTo = (chat: number, from: number) =>
  fake.waitFor(() => fake.calls.slice(from).some((c) => c.method === 'sendMessage' && Number(c.params.chat_id) === chat), 5_000);

describe('Telegram polling with many people at once', () => {
  it("answers a second person while the first one's answer is still on its way", async () => {
    const slow = new TelegramUser(fake, SLOW);
    const quick = new TelegramUser(fake, QUICK);
    const release = fake.hold({ method: 'sendMessage', chatId: SLOW });
    try {
      const from = fake.calls.length;
      slow.say('/help');
      // The slow chat's update is in hand, its answer hanging, before the second person writes.
      await sendingTo(SLOW, from);
      quick.say('/help');
      expect((await quick.nextOne()).text).toBe(help);
      expect(slow.unread()).toEqual([]);
    } finally {
      release();
    }
    expect((await slow.nextOne()).text).toBe(help);
  });

  it("keeps one chat's updates in order, and answers a pressed button before the chat's earlier update is done", async () => {
    const slow = new TelegramUser(fake, SLOW);
    slow.say('/mine');
    const earlier = await slow.nextOne();
    const release = fake.hold({ method: 'sendMessage', chatId: SLOW });
    try {
      const from = fake.calls.length;
      slow.say('/help');
      await sendingTo(SLOW, from);
      slow.say('/mine');
      const press = fake.userPress(SLOW, earlier.message_id, 'x:unknown');
      const answered = await fake.waitFor(
        () => fake.callsTo('answerCallbackQuery').find((c) => c.params.callback_query_id === press.callback_query?.id && c.status !== 0),
        5_000,
      );
      // Answered while the chat's first update (the help) still hangs.
      expect(answered.status).toBe(200);
      expect(slow.unread()).toEqual([]);
    } finally {
      release();
    }
    const texts = (await slow.next(3)).map((m) => m.text);
    expect(texts).toEqual([help, earlier.text, t('lv', 'error.stale_button')]);
  });

  it('stops polling only once the updates in hand are handled', async () => {
    const slow = new TelegramUser(fake, SLOW);
    const release = fake.hold({ method: 'sendMessage', chatId: SLOW });
    const from = fake.calls.length;
    slow.say('/help');
    await sendingTo(SLOW, from);
    let stopped = false;
    const stopping = runner.stop().then(() => (stopped = true));
    // Telegram already counts the update as delivered; stopping now must not drop it. A stop that
    // did not wait would have resolved well within this moment.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect((await slow.nextOne()).text).toBe(help);
  });
});
