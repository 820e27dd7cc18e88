import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, webhookCallback } from 'grammy';
import type { FakeTelegram } from '../tests/support/fake-telegram.js';

/**
 * The ceiling for bench/inbound.ts: a bare grammY bot on the same fake that answers every message
 * and every button press at once, with one "OK" button under each answer (so the same scripted
 * person can press through it), and no storage at all.
 */

export interface BareBot {
  stop(): Promise<void>;
}

const KEYBOARD = { inline_keyboard: [[{ text: 'OK', callback_data: 'ok' }]] };

function createBareBot(fake: FakeTelegram): Bot {
  const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
  bot.on('message', (ctx) => ctx.reply(`echo: ${ctx.message.text ?? ''}`, { reply_markup: KEYBOARD }));
  // As the service does: the spinner is stopped at once, alongside the answer.
  bot.on('callback_query:data', async (ctx) => {
    await Promise.all([ctx.answerCallbackQuery(), ctx.reply('pressed', { reply_markup: KEYBOARD })]);
  });
  return bot;
}

export async function startBareBot(fake: FakeTelegram, mode: 'polling' | 'webhook'): Promise<BareBot> {
  const bot = createBareBot(fake);
  if (mode === 'polling') {
    let polling!: Promise<void>;
    await new Promise<void>((resolve, reject) => {
      polling = bot.start({ onStart: () => resolve() });
      polling.catch(reject);
    });
    return {
      async stop() {
        await bot.stop();
        await polling;
      },
    };
  }
  await bot.init();
  const server = createServer(webhookCallback(bot, 'http'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await bot.api.setWebhook(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return {
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
