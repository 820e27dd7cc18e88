import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import type { UserFromGetMe } from 'grammy/types';
import { createHttpServer, listen, type Route } from '../../src/http/server.js';
import { slackRoutes, type SlackApp } from '../../src/bots/slack/app.js';
import { createTelegramBot } from '../../src/bots/telegram/bot.js';
import { telegramWebhookRoute } from '../../src/bots/telegram/runner.js';
import { createLogger } from '../../src/log.js';

/**
 * The platform endpoints refuse a body larger than any the platforms send (or one that does not
 * say its length) with 413 / 411 before anything reads or verifies it.
 */

const BOT = { id: 44, is_bot: true, first_name: 'OGP forums', username: 'ogp_forum_bot' } as UserFromGetMe;
let server: Server;
let base = '';
const slackBodies: number[] = [];

beforeAll(async () => {
  const slack = {
    path: '/slack/events',
    // Stands in for Bolt's handler: records that it was reached, and with how much.
    handle: async (req, res) => {
      let size = 0;
      for await (const chunk of req) size += (chunk as Buffer).length;
      slackBodies.push(size);
      res.writeHead(200).end();
    },
  } as Pick<SlackApp, 'path' | 'handle'> as SlackApp;
  const bot = createTelegramBot({ token: '1:x', apiRoot: 'http://127.0.0.1:9', botInfo: BOT, produce: async () => undefined, log: createLogger('silent') });
  const routes: Route[] = [...slackRoutes(slack), telegramWebhookRoute(bot, 'secret-token')];
  server = createHttpServer(routes, createLogger('silent'));
  base = `http://127.0.0.1:${await listen(server, 0)}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const post = (path: string, body: string | ReadableStream, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, ...(typeof body === 'string' ? {} : { duplex: 'half' }) } as RequestInit);

describe('request bodies', () => {
  it('refuses a 5 MiB body on /slack/events with 413 before the handler reads it; a normal one passes', async () => {
    const big = await post('/slack/events', 'x'.repeat(5 * 1024 * 1024), { 'x-slack-signature': 'v0=whatever', 'x-slack-request-timestamp': '1' });
    expect(big.status).toBe(413);
    const small = await post('/slack/events', '{"type":"event_callback"}');
    expect(small.status).toBe(200);
    expect(slackBodies).toEqual([25]);
  });

  it('refuses a 1 MiB body on the Telegram webhook with 413; a wrong secret on a small one is still 401', async () => {
    const big = await post('/telegram/webhook', 'x'.repeat(1024 * 1024), { 'x-telegram-bot-api-secret-token': 'secret-token' });
    expect(big.status).toBe(413);
    const wrongSecret = await post('/telegram/webhook', '{"update_id":1}', { 'x-telegram-bot-api-secret-token': 'wrong' });
    expect(wrongSecret.status).toBe(401);
  });

  it('refuses a body that does not say its length (chunked) with 411', async () => {
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"type":"event_callback"}'));
        controller.close();
      },
    });
    const chunked = await post('/slack/events', stream);
    expect(chunked.status).toBe(411);
    expect(slackBodies).toHaveLength(1);
  });
});
