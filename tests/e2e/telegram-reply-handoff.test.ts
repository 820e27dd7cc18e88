import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Update, UserFromGetMe } from 'grammy/types';
import { createTelegramBot } from '../../src/bots/telegram/bot.js';
import { createTelegramApi, createTelegramSender } from '../../src/bots/telegram/sender.js';
import { produceDeliveries } from '../../src/jobs/outbox.js';
import { NO_LIMITS } from '../../src/jobs/outbox-limits.js';
import { createLogger } from '../../src/log.js';
import { expectedHelp } from '../support/help.js';
import { ChannelIdentityModel, ContactModel, DeliveryModel } from '../../src/models/index.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { telegramFailures } from '../support/fake-telegram-format.js';
import { useTestDatabase } from '../support/mongo.js';
import { until, useOutboxTestbed } from '../support/outbox.js';

useTestDatabase();
const bed = useOutboxTestbed();

/**
 * A direct answer Telegram will not take now is not lost: with every send answered 429 (longer
 * than a person can be kept waiting), the answer goes to the outbox at the top priority and
 * arrives once, after the wait.
 */

const CHAT = 7001;
const BOT = { id: 43, is_bot: true, first_name: 'OGP forums', username: 'ogp_forum_bot' } as UserFromGetMe;
let fake: FakeTelegram;

beforeAll(async () => {
  fake = await new FakeTelegram().start();
  const contact = await ContactModel.create({ name: 'Anna Kalniņa', email: 'anna.handoff@example.lv', roles: ['contact_person'] });
  await ChannelIdentityModel.create({ contact: contact._id, channel: 'telegram', externalId: String(CHAT), address: String(CHAT) });
});
afterAll(async () => {
  await fake.stop();
});

const helpUpdate = (updateId: number): Update =>
  ({
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: CHAT, type: 'private', first_name: 'Anna' },
      from: { id: CHAT, is_bot: false, first_name: 'Anna' },
      text: '/help',
      entities: [{ type: 'bot_command', offset: 0, length: 5 }],
    },
  }) as Update;

describe('a reply Telegram refuses for a while', () => {
  it('goes to the outbox at the top priority and arrives once, after the wait', async () => {
    const bot = createTelegramBot({ token: fake.token, apiRoot: fake.apiRoot, botInfo: BOT, produce: (m) => produceDeliveries(bed.outbox, m), log: createLogger('silent') });
    // 5 s is more than a person is kept waiting (rate-limit.ts waits out 3 s at most): the direct send gives up.
    fake.failNext(2, telegramFailures.tooManyRequests(5), { method: 'sendMessage' });
    bed.startWorkers({ senders: { telegram: createTelegramSender(createTelegramApi({ token: fake.token, apiRoot: fake.apiRoot })) }, limits: { telegram: NO_LIMITS } });

    await bot.handleUpdate(helpUpdate(1));
    const handedOver = await DeliveryModel.find({ purpose: 'reply' }).lean();
    expect(handedOver.map((d) => [d.priority, d.address])).toEqual([['reply', String(CHAT)]]);

    await until(() => fake.sent(CHAT).length > 0, 15_000);
    expect(fake.sent(CHAT).map((c) => c.params.text)).toEqual([expectedHelp('lv', '/', ['contact_person'])]);
    await until(async () => (await DeliveryModel.findById(handedOver[0]?._id).lean())?.state === 'sent');

    // Telegram redelivering the update (handled once) hands nothing over again.
    await bot.handleUpdate(helpUpdate(1));
    expect(await DeliveryModel.countDocuments({ purpose: 'reply' })).toBe(1);
    expect(fake.callsTo('sendMessage').map((c) => c.status)).toEqual([429, 429, 200]);
  }, 30_000);
});
