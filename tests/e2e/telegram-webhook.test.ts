import { expectedHelp } from '../support/help.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Update } from 'grammy/types';
import { createTelegramBot } from '../../src/bots/telegram/bot.js';
import { TELEGRAM_WEBHOOK_PATH, startTelegram, type TelegramRunner } from '../../src/bots/telegram/runner.js';
import { createInvitation } from '../../src/domain/chat/invitations.js';
import { createHttpServer, listen, type Route } from '../../src/http/server.js';
import { t, tBoth } from '../../src/i18n/index.js';
import { createLogger } from '../../src/log.js';
import { ChannelIdentityModel, ContactModel } from '../../src/models/index.js';
import { FakeTelegram } from '../support/fake-telegram.js';
import { useTestDatabase } from '../support/mongo.js';
import { importDemoContacts, loadShippedPlan } from '../support/plan.js';
import { LatencyLog, TelegramUser } from '../support/telegram-user.js';

/**
 * Webhook mode end to end: startTelegram registers our URL and secret with the fake (setWebhook),
 * the fake POSTs updates to our HTTP server (src/http/server.ts) as Telegram does, and the route
 * refuses requests without the secret.
 */

useTestDatabase();

const log = createLogger('silent');
const secret = 'e2e_webhook-secret-0123456789';
const latency = new LatencyLog();
let fake: FakeTelegram;
let server: Server;
let runner: TelegramRunner;
let webhookUrl = '';

/** Telegram's POST, with our timing from the POST to the bot's first message at the fake. */
async function deliver(update: Update): Promise<number> {
  const chatId = update.message?.chat.id ?? update.callback_query?.from.id;
  const before = performance.now();
  const status = await fake.deliverToWebhook(update);
  const first = fake.sent(chatId).find((call) => call.at >= before);
  if (first) latency.add(first.at - before);
  return status;
}

beforeAll(async () => {
  fake = await new FakeTelegram().start();
  await loadShippedPlan();
  await importDemoContacts();
  // The server reads its route list per request, so the webhook route can join after listen().
  const routes: Route[] = [];
  server = createHttpServer(routes, log);
  const port = await listen(server, 0);
  webhookUrl = `http://127.0.0.1:${port}${TELEGRAM_WEBHOOK_PATH}`;
  const bot = createTelegramBot({ token: fake.token, apiRoot: fake.apiRoot, produce: async () => undefined, log });
  runner = await startTelegram(bot, { token: fake.token, apiRoot: fake.apiRoot, mode: 'webhook', webhookSecret: secret, webhookUrl }, log);
  if (runner.route) routes.push(runner.route);
});

afterAll(async () => {
  const s = latency.summary();
  console.error(`[telegram webhook e2e] update POST → bot message at the fake: median ${s.medianMs} ms, worst ${s.worstMs} ms over ${s.count}`);
  await runner?.stop();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await fake?.stop();
});

describe('Telegram webhook mode', () => {
  it('registers the webhook with its secret and sets the command menu', async () => {
    expect(runner.mode).toBe('webhook');
    expect(fake.webhook).toEqual({ url: webhookUrl, secretToken: secret });
    const allowed = fake.callsTo('setWebhook')[0]?.params.allowed_updates;
    expect(allowed).toEqual(['message', 'callback_query']);
    await fake.waitFor(() => fake.callsTo('setMyCommands').length === 3);
  });

  it('refuses a missing or wrong secret: 401 and nothing handled', async () => {
    const update = fake.userMessage(8001, '/help');
    const post = (headers: Record<string, string>) =>
      fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(update) });
    expect((await post({})).status).toBe(401);
    expect((await post({ 'x-telegram-bot-api-secret-token': 'not-the-secret-0123456789' })).status).toBe(401);
    expect(fake.sent(8001)).toEqual([]);
  });

  it('accepts the right secret: links by deep link and answers', async () => {
    const person = new TelegramUser(fake, 8002);
    const contact = await ContactModel.findOne({ email: 'marta.zarina@example.lv' }).lean();
    const { token } = await createInvitation({ contactId: String(contact?._id), actor: 'test' });
    expect(await deliver(fake.userMessage(8002, `/start ${token}`))).toBe(200);
    // The webhook answers after the update is handled, so the replies are there already.
    expect(person.unread().map((m) => m.text)).toEqual([t('lv', 'invite.accepted', { name: 'Marta Zariņa' }), expectedHelp('lv', '/')]);
    expect(await ChannelIdentityModel.exists({ channel: 'telegram', externalId: '8002' })).not.toBeNull();
  });

  it('answers an update that Telegram sends again only once', async () => {
    const person = new TelegramUser(fake, 8003);
    const update = fake.userMessage(8003, 'Labdien');
    expect(await deliver(update)).toBe(200);
    expect(await fake.deliverToWebhook(update)).toBe(200);
    expect(person.unread().map((m) => m.text)).toEqual([tBoth('access.unknown_person')]);
  });
});
