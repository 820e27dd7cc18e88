import { Bot } from 'grammy';
import type { Message as TelegramMessage } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryShortRateLimits } from '../../src/bots/telegram/rate-limit.js';
import { createTelegramApi, createTelegramSender } from '../../src/bots/telegram/sender.js';
import { SendError, type OutgoingMessage, type SendErrorKind, type Sender } from '../../src/domain/chat/channel.js';
import { storeFile } from '../../src/domain/chat/files.js';
import { choice, type Message } from '../../src/domain/chat/message.js';
import { FakeTelegram, telegramFailures, type ApiFailure } from '../support/fake-telegram.js';
import { useTestDatabase } from '../support/mongo.js';

const hello: OutgoingMessage = { address: '42', message: { text: 'Sveiki! / Hello!', choices: [choice('rsvp:yes', 'Būšu / Attending')] } };

async function sendError(sender: Sender, outgoing: OutgoingMessage = hello): Promise<SendError> {
  const error = await sender.send(outgoing).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SendError);
  return error as SendError;
}

describe('Telegram sender against the fake Bot API', () => {
  useTestDatabase();
  let fake: FakeTelegram;
  let sender: Sender;
  beforeAll(async () => {
    fake = await new FakeTelegram().start();
    sender = createTelegramSender(createTelegramApi({ token: fake.token, apiRoot: fake.apiRoot }));
  });
  afterAll(() => fake.stop());
  const chat = (address: number) => fake.chats.get(address) ?? [];

  it('sends JSON with one button per row and returns the message id, counting per chat', async () => {
    expect(await sender.send(hello)).toEqual({ messageId: '1' });
    expect(await sender.send({ ...hello, message: { ...hello.message, choices: [] } })).toEqual({ messageId: '2' });
    expect(await sender.send({ ...hello, address: '43' })).toEqual({ messageId: '1' });
    const [first, second] = fake.sent(42);
    expect(first?.result).toMatchObject({
      message_id: 1,
      chat: { id: 42, type: 'private' },
      from: { id: fake.bot.id, is_bot: true },
      text: hello.message.text,
      reply_markup: { inline_keyboard: [[{ text: 'Būšu / Attending', callback_data: 'rsvp:yes' }]] },
    });
    expect(second?.params).not.toHaveProperty('reply_markup');
    expect(first?.params).not.toHaveProperty('parse_mode');
  });

  it('sends a long text as two messages with 30 buttons and a link on the second, whose id it returns', async () => {
    const lines = Array.from({ length: 150 }, (_, i) => `${i + 1}. Pasākums *${i + 1}* — procesā, termiņš 13.02.2026.`);
    const text = lines.join('\n');
    expect(text.length).toBeGreaterThan(4096);
    expect(text.length).toBeLessThan(8192);
    const choices = Array.from({ length: 30 }, (_, i) => choice(`sf:m:${i + 1}`, `Pasākums ${i + 1}`));
    const { messageId } = await sender.send({ address: '501', message: { text, choices, links: [{ label: 'Plāns', url: 'https://example.lv/plan' }] } });
    const [first, second] = chat(501);
    expect(chat(501)).toHaveLength(2);
    expect(messageId).toBe(String(second?.message_id));
    expect(`${first?.text}\n${second?.text}`).toBe(text);
    expect(first?.reply_markup).toBeUndefined();
    const rows = second?.reply_markup?.inline_keyboard ?? [];
    expect(rows).toHaveLength(31);
    expect(rows[0]).toEqual([{ text: 'Pasākums 1', callback_data: 'sf:m:1' }]);
    expect(rows[30]).toEqual([{ text: 'Plāns', url: 'https://example.lv/plan' }]);
  });

  it('sends a stored CSV as a document with the same name and bytes, and a PNG as a photo', async () => {
    const bytes = 'Pasākums;Statuss\n3.3;procesā\n3.5;"pabeigts; publicēts"\n';
    const csv = await storeFile({ name: 'atbildes 2025 — ā;ž.csv', mediaType: 'text/csv', bytes });
    const pixel = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    const png = await storeFile({ name: 'grafiks.png', mediaType: 'image/png', bytes: pixel });
    const { messageId } = await sender.send({ address: '502', message: { text: 'Eksports', choices: [], attachments: [csv, png] } });
    const [text, document, photo] = chat(502) as (TelegramMessage & Partial<TelegramMessage.DocumentMessage & TelegramMessage.PhotoMessage>)[];
    expect(messageId).toBe(String(text?.message_id));
    expect(text?.text).toBe('Eksports');
    expect(document?.document?.file_name).toBe('atbildes 2025 — ā;ž.csv');
    const sentCsv = fake.files.get(document?.document?.file_id ?? '');
    expect(sentCsv?.name).toBe('atbildes 2025 — ā;ž.csv');
    expect(sentCsv?.bytes.toString('utf8')).toBe(bytes);
    expect(fake.files.get(photo?.photo?.[0]?.file_id ?? '')).toEqual({ name: 'grafiks.png', bytes: pixel });
  });

  it('fails a missing file permanently before sending anything', async () => {
    const gone = { name: 'x.csv', mediaType: 'text/csv', source: { kind: 'stored' as const, fileId: '0123456789abcdef01234567' } };
    expect(await sendError(sender, { address: '503', message: { text: 'Eksports', choices: [], attachments: [gone] } })).toMatchObject({
      kind: 'permanent',
      code: 'file_missing',
    });
    expect(chat(503)).toHaveLength(0);
  });

  it('edits an earlier message in place; the same edit again is done, not an error', async () => {
    const { messageId } = await sender.send({ address: '504', message: { text: 'Nosūtīti 0 no 2000', choices: [choice('bc:stop', 'Apturēt')] } });
    const edit: Message = { text: 'Nosūtīti 2000 no 2000', choices: [], edit: { ref: { address: '504', messageId } } };
    expect(await sender.send({ address: '504', message: edit })).toEqual({ messageId });
    expect(await sender.send({ address: '504', message: edit })).toEqual({ messageId });
    expect(chat(504)).toHaveLength(1);
    expect(chat(504)[0]).toMatchObject({ text: 'Nosūtīti 2000 no 2000', edit_date: expect.any(Number) });
    expect(chat(504)[0]?.reply_markup).toBeUndefined();
    expect(fake.callsTo('editMessageText').at(-1)?.description).toMatch(/message is not modified/);
  });

  it('edits with the first part of a long text and sends the rest with the buttons', async () => {
    const { messageId } = await sender.send({ address: '505', message: { text: 'Gaidiet…', choices: [] } });
    const text = `${'a'.repeat(4000)}\n${'b'.repeat(300)}`;
    const edited = await sender.send({ address: '505', message: { text, choices: [choice('ok', 'Labi')], edit: { ref: { address: '505', messageId } } } });
    expect(edited).toEqual({ messageId });
    expect(chat(505).map((m) => [m.text?.length, m.reply_markup?.inline_keyboard.length])).toEqual([
      [4000, undefined],
      [300, 1],
    ]);
  });

  it('classifies edits that cannot be made as permanent', async () => {
    const unknown: Message = { text: 'x', choices: [], edit: { ref: { address: '42', messageId: '999' } } };
    expect(await sendError(sender, { address: '42', message: unknown })).toMatchObject({ kind: 'permanent', code: 'bad_request', message: 'Bad Request: message to edit not found' });
    const notAnId: Message = { text: 'x', choices: [], edit: { ref: { address: '42', messageId: '1700000000.123' } } };
    expect(await sendError(sender, { address: '42', message: notAnId })).toMatchObject({ kind: 'permanent', code: 'bad_request' });
    const byKey: Message = { text: 'x', choices: [], edit: { deliveryKey: 'broadcast:1:42' } };
    expect(await sendError(sender, { address: '42', message: byKey })).toMatchObject({ kind: 'permanent', code: 'bad_request' });
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

  it('classifies a failed upload like any other call', async () => {
    const csv = await storeFile({ name: 'a.csv', mediaType: 'text/csv', bytes: 'a;b\n' });
    fake.failNext(1, telegramFailures.tooManyRequests(4), { method: 'sendDocument' });
    expect(await sendError(sender, { address: '506', message: { text: '', choices: [], attachments: [csv] } })).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 4000,
    });
  });

  it("sends replies on the bot's own client, whose short 429 retry uploads the file again", async () => {
    const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
    bot.api.config.use(retryShortRateLimits({ sleep: async () => undefined }));
    const replies = createTelegramSender(bot.api);
    const csv = await storeFile({ name: 'eksports.csv', mediaType: 'text/csv', bytes: 'a;b\n1;2\n' });
    fake.failNext(1, telegramFailures.tooManyRequests(1), { method: 'sendDocument' });
    await replies.send({ address: '507', message: { text: 'Eksports', choices: [choice('ok', 'Labi')], attachments: [csv] } });
    const [text, document] = chat(507) as (TelegramMessage & Partial<TelegramMessage.DocumentMessage>)[];
    expect(text?.reply_markup?.inline_keyboard).toEqual([[{ text: 'Labi', callback_data: 'ok' }]]);
    expect(fake.callsTo('sendDocument').slice(-2).map((c) => c.status)).toEqual([429, 200]);
    expect(fake.files.get(document?.document?.file_id ?? '')?.bytes.toString()).toBe('a;b\n1;2\n');
  });

  it('classifies a wrong token as permanent', async () => {
    const wrong = createTelegramSender(createTelegramApi({ token: '1:wrong', apiRoot: fake.apiRoot }));
    expect(await sendError(wrong)).toMatchObject({ kind: 'permanent', code: 'unauthorized', message: 'Unauthorized' });
  });

  it('enforces Telegram limits when asked: a second message to one chat within a second gets 429', async () => {
    fake.limits = { perSecond: 30, perChatMs: 1000 };
    try {
      await sender.send({ ...hello, address: '77' });
      expect(await sendError(sender, { ...hello, address: '77' })).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 });
      await expect(sender.send({ ...hello, address: '78' })).resolves.toBeTruthy();
    } finally {
      fake.limits = false;
    }
  });
});

describe("the fake Bot API speaks Telegram's wire format", () => {
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

  it('takes a file as a multipart part, keeps its caption, and refuses what Telegram refuses', async () => {
    const upload = new FormData();
    upload.set('chat_id', '502');
    upload.set('caption', 'Pielikumā');
    upload.set('document', new File(['a;b\n'], 'dati.csv'));
    expect((await call('sendDocument', { body: upload })).body).toMatchObject({
      ok: true,
      result: { message_id: 1, caption: 'Pielikumā', document: { file_name: 'dati.csv', file_size: 4 } },
    });
    const again = await call('sendDocument', { body: new URLSearchParams({ chat_id: '502', document: 'document-1' }) });
    expect(again.body).toMatchObject({ ok: true, result: { document: { file_id: 'document-1', file_name: 'dati.csv' } } });
    const noFile = await call('sendDocument', { body: new URLSearchParams({ chat_id: '502', document: 'nothing-here' }) });
    expect(noFile.body).toMatchObject({ error_code: 400, description: 'Bad Request: wrong file identifier/HTTP URL specified' });
    const long = await call('sendMessage', { body: new URLSearchParams({ chat_id: '502', text: 'ā'.repeat(4097) }) });
    expect(long.body).toMatchObject({ error_code: 400, description: 'Bad Request: message is too long' });
    const onFile = await call('editMessageText', { body: new URLSearchParams({ chat_id: '502', message_id: '1', text: 'x' }) });
    expect(onFile.body).toMatchObject({ error_code: 400, description: 'Bad Request: there is no text in the message to edit' });
  });

  it("answers errors in Telegram's shape", async () => {
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
