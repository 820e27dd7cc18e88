import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { DeliveryModel } from '../../src/models/index.js';
import { createOutbox, produceDeliveries } from '../../src/jobs/outbox.js';
import { startOutboxWorkers } from '../../src/jobs/outbox-worker.js';
import { createConsoleSender, type ConsoleMessage } from '../../src/jobs/senders/console.js';
import { SendError, type SendErrorKind, type Sender } from '../../src/domain/chat/channel.js';
import { createTelegramSender } from '../../src/jobs/senders/telegram.js';
import { createRedis } from '../../src/redis.js';
import { FakeTelegram, telegramFailures, type ApiFailure } from '../support/fake-telegram.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';

const message = { address: '42', text: 'Sveiki! / Hello!', choices: [{ id: 'rsvp:yes', label: 'Būšu / Attending' }] };

async function sendError(sender: Sender, address = message.address): Promise<SendError> {
  const error = await sender.send({ ...message, address }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SendError);
  return error as SendError;
}

describe('Telegram sender against the fake Bot API', () => {
  let fake: FakeTelegram;
  let sender: Sender;
  beforeAll(async () => {
    fake = await new FakeTelegram().start();
    sender = createTelegramSender({ token: fake.token, apiRoot: fake.apiRoot });
  });
  afterAll(() => fake.stop());

  it('sends JSON with one button per row and returns the message id, counting per chat', async () => {
    expect(await sender.send(message)).toEqual({ messageId: '1' });
    expect(await sender.send({ ...message, choices: [] })).toEqual({ messageId: '2' });
    expect(await sender.send({ ...message, address: '43' })).toEqual({ messageId: '1' });
    const [first, second] = fake.sent(42);
    expect(first?.result).toMatchObject({
      message_id: 1,
      chat: { id: 42, type: 'private' },
      from: { id: fake.bot.id, is_bot: true },
      text: message.text,
      reply_markup: { inline_keyboard: [[{ text: 'Būšu / Attending', callback_data: 'rsvp:yes' }]] },
    });
    expect(second?.params).not.toHaveProperty('reply_markup');
  });

  const cases: [string, ApiFailure, { kind: SendErrorKind; code: string; retryAfterMs?: number }][] = [
    ['429', telegramFailures.tooManyRequests(3), { kind: 'rate_limited', code: 'rate_limited', retryAfterMs: 3000 }],
    ['403 blocked', telegramFailures.blocked(), { kind: 'unreachable', code: 'blocked' }],
    ['403 deactivated', telegramFailures.deactivated(), { kind: 'unreachable', code: 'user_deactivated' }],
    ['400 chat not found', telegramFailures.chatNotFound(), { kind: 'unreachable', code: 'chat_not_found' }],
    ['other 400', telegramFailures.badRequest("can't parse entities"), { kind: 'permanent', code: 'bad_request' }],
    ['500', telegramFailures.serverError(500), { kind: 'transient', code: 'server_error' }],
    ['a proxy page', telegramFailures.proxyErrorPage(502), { kind: 'transient', code: 'network_error' }],
    ['a dropped connection', telegramFailures.disconnect(), { kind: 'transient', code: 'network_error' }],
  ];
  it.each(cases)('classifies %s', async (_name, failure, expected) => {
    fake.failNext(1, failure, { method: 'sendMessage' });
    expect(await sendError(sender)).toMatchObject(expected);
  });

  it('classifies a wrong token as permanent', async () => {
    const wrong = createTelegramSender({ token: '1:wrong', apiRoot: fake.apiRoot });
    expect(await sendError(wrong)).toMatchObject({ kind: 'permanent', code: 'unauthorized', message: 'Unauthorized' });
  });

  it('enforces Telegram limits when asked: a second message to one chat within a second gets 429', async () => {
    fake.limits = { perSecond: 30, perChatMs: 1000 };
    try {
      await sender.send({ ...message, address: '77' });
      expect(await sendError(sender, '77')).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 });
      await expect(sender.send({ ...message, address: '78' })).resolves.toBeTruthy();
    } finally {
      fake.limits = false;
    }
  });
});

describe('the fake Bot API speaks Telegram\'s wire format', () => {
  let fake: FakeTelegram;
  beforeAll(async () => {
    fake = await new FakeTelegram({ maxPollSeconds: 1 }).start();
  });
  afterAll(() => fake.stop());
  const call = async (method: string, init: RequestInit = {}, token = fake.token) => {
    const response = await fetch(`${fake.apiRoot}/bot${token}/${method}`, { method: 'POST', ...init });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('takes urlencoded, multipart and query-string parameters, with reply_markup as a JSON string', async () => {
    const markup = JSON.stringify({ inline_keyboard: [[{ text: 'Jā', callback_data: 'y' }]] });
    const form = await call('sendMessage', { body: new URLSearchParams({ chat_id: '501', text: 'Forma', reply_markup: markup }) });
    const multipart = new FormData();
    multipart.set('chat_id', '501');
    multipart.set('text', 'Daudzdaļu');
    const parts = await call('sendMessage', { body: multipart });
    const query = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage?chat_id=501&text=Vaic%C4%81jums`).then((r) => r.json());
    expect(form.body).toMatchObject({ ok: true, result: { message_id: 1, text: 'Forma', reply_markup: { inline_keyboard: [[{ callback_data: 'y' }]] } } });
    expect(parts.body).toMatchObject({ ok: true, result: { message_id: 2, text: 'Daudzdaļu' } });
    expect(query).toMatchObject({ ok: true, result: { message_id: 3, chat: { id: 501, type: 'private' } } });
  });

  it('answers errors in Telegram\'s shape', async () => {
    expect(await call('getMe', {}, '1:wrong')).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
    expect(await call('noSuchMethod')).toEqual({ status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } });
    fake.failNext(1, telegramFailures.tooManyRequests(5));
    expect(await call('sendMessage', { body: new URLSearchParams({ chat_id: '1', text: 'x' }) })).toEqual({
      status: 429,
      body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 5', parameters: { retry_after: 5 } },
    });
    expect((await call('sendMessage', { body: new URLSearchParams({ chat_id: '1' }) })).body).toMatchObject({
      error_code: 400,
      description: 'Bad Request: message text is empty',
    });
  });

  it('long-polls getUpdates, confirms by offset, and refuses polling while a webhook is set', async () => {
    const poll = (offset: number) =>
      call('getUpdates', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ offset, timeout: 1 }) });
    const waiting = poll(0);
    const pushed = fake.userMessage(9001, '/start abc');
    const first = await waiting;
    expect(first.body).toMatchObject({ ok: true, result: [{ update_id: pushed.update_id, message: { text: '/start abc', chat: { id: 9001 } } }] });
    const started = Date.now();
    expect((await poll(pushed.update_id + 1)).body).toEqual({ ok: true, result: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await call('setWebhook', { body: new URLSearchParams({ url: 'https://bot.example.lv/telegram/webhook', secret_token: 'abc_DEF-123' }) });
    expect((await poll(0)).status).toBe(409);
    await call('deleteWebhook');
    expect((await poll(0)).status).toBe(200);
  });
});

describe('outbox workers for the console', () => {
  useTestDatabase();
  let redis: Redis;
  beforeAll(() => {
    redis = createRedis(inject('redisUrl'));
  });
  afterAll(() => redis.quit());

  // The Slack sender's outbox round trip is in slack-sender.test.ts.
  it('delivers through the same queue and worker as the platforms', async () => {
    const printed: ConsoleMessage[] = [];
    const prefix = uniquePrefix();
    const outbox = createOutbox({ connection: redis, prefix });
    const workers = startOutboxWorkers({
      connection: redis,
      prefix,
      senders: { console: createConsoleSender((m) => void printed.push(m)) },
      log: createLogger('silent'),
    });
    try {
      await produceDeliveries(outbox, [
        { key: `${prefix}:console`, purpose: 'test', channel: 'console', address: 'demo', text: 'Sveiki, terminālis!', choices: [{ id: 'a', label: 'A' }] },
      ]);
      await expect.poll(() => DeliveryModel.countDocuments({ key: { $regex: `^${prefix}:` }, state: 'sent' }), { timeout: 10_000 }).toBe(1);
      expect(printed).toEqual([{ address: 'demo', text: 'Sveiki, terminālis!', choices: [{ id: 'a', label: 'A' }], messageId: '1' }]);
    } finally {
      await workers.close();
      await outbox.close();
    }
  });
});
