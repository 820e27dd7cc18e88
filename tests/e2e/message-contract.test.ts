import type { Redis } from 'ioredis';
import type { InlineKeyboardButton, Message as TelegramMessage } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTelegramBot } from '../../src/bots/telegram/bot.js';
import { startTelegram, type TelegramRunner } from '../../src/bots/telegram/runner.js';
import { createTelegramApi, createTelegramSender } from '../../src/bots/telegram/sender.js';
import { createSlackClient, createSlackSender } from '../../src/bots/slack/sender.js';
import { storeFile } from '../../src/domain/chat/files.js';
import { createInvitation } from '../../src/domain/chat/invitations.js';
import { choice, type Choice, type LinkButton, type Message } from '../../src/domain/chat/message.js';
import { answered } from '../../src/domain/chat/registry.js';
import { createChatRegistry } from '../../src/domain/features.js';
import { createOutbox, produceDeliveries, type DeliveryInput, type Outbox } from '../../src/jobs/outbox.js';
import { NO_LIMITS } from '../../src/jobs/outbox-limits.js';
import { startOutboxWorkers, type OutboxWorkers } from '../../src/jobs/outbox-worker.js';
import { createLogger } from '../../src/log.js';
import { ContactModel, DeliveryModel } from '../../src/models/index.js';
import type { Channel } from '../../src/models/shared.js';
import { createRedis } from '../../src/redis.js';
import type { Block, FakeMessage, SlackCall } from '../support/fake-slack.js';
import { FakeTelegram, type TelegramCall } from '../support/fake-telegram.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';
import { importDemoContacts, loadShippedPlan } from '../support/plan.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { TelegramUser } from '../support/telegram-user.js';
import { SLACK_PEOPLE } from '../support/slack-people.js';

/**
 * The message contract end to end: ONE Message (a text over Telegram's 4096 UTF-16 units with
 * line breaks, markup-like characters and Latvian letters; 30 callback buttons; a URL button; a CSV
 * attachment; then an edit) goes to one linked person per platform twice: as the router's answer
 * to a command, through the real grammY bot / Bolt app, and through the outbox (produceDeliveries,
 * BullMQ, the worker). Both must reach the fake platform servers as the same API calls, split and
 * escaped as the platform needs; the edit (by platform ref as a reply, by delivery key through the
 * outbox) must change the message the same way.
 */

useTestDatabase();

const log = createLogger('silent');

const MARKUP = '*bold* _x_ ~y~ <!channel> & <b>';
/**
 * 64 lines of about 100 UTF-16 units (an emoji is two), 6,400 in all: over Telegram's 4096, so two
 * messages; under 3000 × 50, so one Slack message of three sections.
 */
const TEXT = Array.from(
  { length: 64 },
  (_, i) => `${String(i + 1).padStart(2, '0')}. Pasākums „Ūdens ķēdes šķērsošana” 📎 ${MARKUP} — ģērbies, ņem līdzi čemodānu.`,
).join('\n');
const CHOICES: Choice[] = Array.from({ length: 30 }, (_, i) => choice(`sample:${i + 1}`, `Nr. ${i + 1} ${i % 2 ? '*ā*' : '<ē> &'}`));
const LINK: LinkButton = { label: 'Atvērt plānu ↗', url: 'https://www.mk.gov.lv/lv/atverta-parvaldiba?plans=5&valoda=lv' };
const CSV = 'pasākums;statuss;piezīme\r\n3.3;procesā;"*bold* & <b>; ""citāts"""\r\n5.1;pabeigts;ūdens ķēde 📎\r\n';
const CSV_NAME = 'atbildes-2025.csv';
const EDITED: Pick<Message, 'text' | 'choices'> = {
  text: `Atjaunināts: ${MARKUP}\nŠī rinda ir jauna — ņemiet vērā.`,
  choices: [choice('sample:yes', 'Jā & <labi>'), choice('sample:no', '*Nē*')],
};

/** The one message; its attachment is stored once in beforeAll (storeFile needs the database). */
let message: Message;

const registry = createChatRegistry()
  .command({ name: 'sample', handle: async () => answered(message) })
  .command({
    name: 'sample_edit',
    // The argument is the platform message id of the message to edit, in the person's own chat.
    handle: async (ctx, args) => answered({ ...EDITED, edit: { ref: { address: ctx.inbound.address, messageId: args.trim() } } }),
  });

let redis: Redis;
let outbox: Outbox;
let workers: OutboxWorkers;
let telegram: FakeTelegram;
let runner: TelegramRunner;
let slack: SlackHarness;

const TELEGRAM_ID = 7301;
const { LIGA } = SLACK_PEOPLE;
let ligaContactId = '';

beforeAll(async () => {
  await loadShippedPlan();
  await importDemoContacts();
  ligaContactId = String((await ContactModel.findOne({ email: LIGA.email }).orFail().lean())._id);
  const attachment = await storeFile({ name: CSV_NAME, mediaType: 'text/csv', bytes: Buffer.from(CSV, 'utf8') });
  message = { text: TEXT, choices: CHOICES, links: [LINK], attachments: [attachment] };

  redis = createRedis(inject('redisUrl'));
  const prefix = uniquePrefix();
  outbox = createOutbox({ connection: redis, prefix });
  const produce = (messages: DeliveryInput[]) => produceDeliveries(outbox, messages);

  telegram = await new FakeTelegram().start();
  const bot = createTelegramBot({ token: telegram.token, apiRoot: telegram.apiRoot, produce, log, registry });
  runner = await startTelegram(bot, { token: telegram.token, apiRoot: telegram.apiRoot, mode: 'polling' }, log);

  slack = await startSlackHarness({ users: [LIGA], registry, produce });

  workers = startOutboxWorkers({
    connection: redis,
    prefix,
    senders: {
      telegram: createTelegramSender(createTelegramApi({ token: telegram.token, apiRoot: telegram.apiRoot })),
      slack: createSlackSender(createSlackClient({ token: slack.fake.token, apiUrl: slack.fake.url })),
    },
    // Pacing is the outbox's own test; here it would only slow the edits down.
    limits: { telegram: NO_LIMITS, slack: NO_LIMITS },
    log,
  });
});

afterAll(async () => {
  await runner?.stop();
  await workers?.close();
  await outbox?.close();
  await redis?.quit();
  await telegram?.stop();
  await slack?.close();
});

/** The delivery once the worker marked it sent; a failed one fails the test with its error. */
async function sentDelivery(key: string, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const delivery = await DeliveryModel.findOne({ key }).lean();
    if (delivery?.state === 'sent') return delivery;
    if (delivery && delivery.state !== 'pending') throw new Error(`delivery ${key} is ${delivery.state}: ${JSON.stringify(delivery.lastError)}`);
    if (Date.now() > until) throw new Error(`delivery ${key} not sent in time (${delivery?.state ?? 'not recorded'})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function delivery(key: string, channel: Channel, address: string, content: Message): DeliveryInput {
  return {
    key,
    purpose: 'contract-test',
    priority: 'reply',
    contact: ligaContactId,
    channel,
    address,
    text: content.text,
    choices: content.choices,
    ...(content.links ? { links: content.links } : {}),
    ...(content.attachments ? { attachments: content.attachments } : {}),
    ...(content.edit ? { edit: content.edit } : {}),
  };
}

/** Buffers (uploaded files) as text, so that calls compare with toEqual and print readably. */
function withBytes(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return `bytes:${value.toString('base64')}`;
  if (Array.isArray(value)) return value.map(withBytes);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withBytes(v)]));
  return value;
}

const unescapeFallback = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('Telegram: reply and outbox deliver the same message (grammY, fake Bot API)', () => {
  const chatId = String(TELEGRAM_ID);
  const WRITES = new Set(['sendMessage', 'sendDocument', 'sendPhoto', 'editMessageText', 'editMessageReplyMarkup', 'deleteMessage']);
  let person: TelegramUser;
  const calls: Record<'reply' | 'outbox', TelegramCall[]> = { reply: [], outbox: [] };
  const editCalls: Record<'reply' | 'outbox', TelegramCall[]> = { reply: [], outbox: [] };
  const firstKey = `contract:telegram:${Date.now()}`;

  /** What went into the person's chat between `from` and now, in order. */
  const writesSince = (from: number) => telegram.calls.slice(from).filter((c) => WRITES.has(c.method) && Number(c.params.chat_id) === TELEGRAM_ID);
  /** A call without what differs by nature between two sends: the message id it targets, the ids and dates it got back. */
  const comparable = (call: TelegramCall) => {
    const { message_id: _messageId, ...params } = call.params;
    return { method: call.method, status: call.status, params: withBytes(params) };
  };
  const resultId = (call: TelegramCall | undefined) => (call?.result as TelegramMessage | undefined)?.message_id;
  const chatMessage = (id: number | undefined) => telegram.chats.get(TELEGRAM_ID)?.find((m) => m.message_id === id);
  const keyboardOf = (call: TelegramCall | undefined) => (call?.params.reply_markup as { inline_keyboard: InlineKeyboardButton[][] } | undefined)?.inline_keyboard;

  beforeAll(async () => {
    person = new TelegramUser(telegram, TELEGRAM_ID);
    const { token } = await createInvitation({ contactId: ligaContactId, actor: 'test', now: new Date() });
    person.say(`/start ${token}`);
    await person.next(2);
  });

  it('sends the message as the answer to a command', async () => {
    const from = telegram.calls.length;
    const update = person.say('/sample');
    await person.handled(update);
    calls.reply = writesSince(from);
    expect(calls.reply.map((c) => c.method)).toEqual(['sendMessage', 'sendMessage', 'sendDocument']);
  });

  it('sends the same message through the outbox to the same chat', async () => {
    const from = telegram.calls.length;
    await produceDeliveries(outbox, [delivery(firstKey, 'telegram', chatId, message)]);
    const sent = await sentDelivery(firstKey);
    calls.outbox = writesSince(from);
    expect(calls.outbox.map((c) => c.method)).toEqual(['sendMessage', 'sendMessage', 'sendDocument']);
    // The id a later edit by delivery key addresses is that of the part carrying the buttons.
    expect(sent.platformMessageId).toBe(String(resultId(calls.outbox[1])));
  });

  it('both arrive as the same calls: texts, keyboards, file name and bytes', () => {
    expect(calls.outbox.map(comparable)).toEqual(calls.reply.map(comparable));
    expect([...calls.reply, ...calls.outbox].every((c) => c.status === 200 && Number(c.params.chat_id) === TELEGRAM_ID)).toBe(true);
  });

  it('is split at a line break into two messages of at most 4096 UTF-16 units, buttons on the last text', () => {
    for (const path of [calls.reply, calls.outbox]) {
      const [first, second, document] = path;
      const parts = [String(first?.params.text), String(second?.params.text)];
      expect(TEXT.length).toBeGreaterThan(4096);
      for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
      // Nothing lost or added, and the cut is the last line break that fits.
      expect(`${parts[0]}\n${parts[1]}`).toBe(TEXT);
      const nextLine = parts[1]!.split('\n')[0]!;
      expect(parts[0]!.length + 1 + nextLine.length).toBeGreaterThan(4096);
      // Plain text: no parse mode, so `*`, `_`, `~`, `<b>` and `&` arrive as typed.
      expect(first?.params.parse_mode).toBeUndefined();
      expect(parts[0]).toContain(MARKUP);

      expect(keyboardOf(first)).toBeUndefined();
      expect(keyboardOf(document)).toBeUndefined();
      expect(keyboardOf(second)).toEqual([
        ...CHOICES.map((c) => [{ text: c.label, callback_data: c.id }]),
        [{ text: LINK.label, url: LINK.url }],
      ]);

      const file = document?.params.document as { name: string; bytes: Buffer };
      expect(file.name).toBe(CSV_NAME);
      expect(file.bytes.equals(Buffer.from(CSV, 'utf8'))).toBe(true);
      expect(chatMessage(resultId(document))?.document?.file_name).toBe(CSV_NAME);
    }
  });

  it('edits the message the same way as a reply (by message id) and through the outbox (by delivery key)', async () => {
    const replyTarget = resultId(calls.reply[1]);
    const outboxTarget = resultId(calls.outbox[1]);
    const before = telegram.chats.get(TELEGRAM_ID)!.length;

    let from = telegram.calls.length;
    const update = person.say(`/sample_edit ${replyTarget}`);
    await person.handled(update);
    editCalls.reply = writesSince(from);

    from = telegram.calls.length;
    const editKey = `${firstKey}:edit`;
    await produceDeliveries(outbox, [delivery(editKey, 'telegram', chatId, { ...EDITED, edit: { deliveryKey: firstKey } })]);
    const edit = await sentDelivery(editKey);
    editCalls.outbox = writesSince(from);
    expect(edit.platformMessageId).toBe(String(outboxTarget));

    expect(editCalls.reply.map((c) => [c.method, c.status, c.params.message_id])).toEqual([['editMessageText', 200, replyTarget]]);
    expect(editCalls.outbox.map((c) => [c.method, c.status, c.params.message_id])).toEqual([['editMessageText', 200, outboxTarget]]);
    expect(editCalls.outbox.map(comparable)).toEqual(editCalls.reply.map(comparable));

    // Only the user's /sample_edit joined the chat; each edited message reads the new text under the new buttons.
    expect(telegram.chats.get(TELEGRAM_ID)!.length).toBe(before + 1);
    const shown = (id: number | undefined) => {
      const { message_id: _id, date: _date, edit_date: editDate, ...rest } = chatMessage(id) ?? ({} as TelegramMessage);
      return { ...rest, edited: editDate !== undefined };
    };
    expect(shown(replyTarget)).toEqual(shown(outboxTarget));
    expect(shown(outboxTarget)).toMatchObject({
      text: EDITED.text,
      edited: true,
      reply_markup: { inline_keyboard: EDITED.choices.map((c) => [{ text: c.label, callback_data: c.id }]) },
    });
    // The first part and the file are left as they were.
    for (const path of [calls.reply, calls.outbox]) {
      expect(chatMessage(resultId(path[0]))).toMatchObject({ text: path[0]?.params.text });
      expect(chatMessage(resultId(path[0]))?.edit_date).toBeUndefined();
      expect(chatMessage(resultId(path[2]))?.document?.file_name).toBe(CSV_NAME);
    }
  });
});

describe('Slack: reply and outbox deliver the same message (Bolt + web-api, fake Web API)', () => {
  /** What puts something into a channel; anything else in a window must be the inbound side's lookups. */
  const DELIVERY = new Set(['chat.postMessage', 'chat.update', 'files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
  const INBOUND = new Set(['conversations.open', 'users.info']);
  let dm = '';
  const calls: Record<'reply' | 'outbox', SlackCall[]> = { reply: [], outbox: [] };
  const editCalls: Record<'reply' | 'outbox', SlackCall[]> = { reply: [], outbox: [] };
  const posted: Record<'reply' | 'outbox', FakeMessage[]> = { reply: [], outbox: [] };
  const firstKey = `contract:slack:${Date.now()}`;

  const since = (from: number) => {
    const window = slack.fake.calls.slice(from);
    expect(window.filter((c) => !DELIVERY.has(c.method) && !INBOUND.has(c.method)).map((c) => c.method)).toEqual([]);
    return window.filter((c) => DELIVERY.has(c.method));
  };
  /**
   * A call without the ids that differ by nature (a message's ts, an uploaded file's id) and without
   * `team_id`: Bolt builds each listener's client with the team of the incoming request and
   * @slack/web-api adds it to every call (bolt App.js "Add teamId to clientOptions"); the outbox's
   * client has no request. A workspace bot token ignores it; it must name this workspace if present.
   */
  const comparable = (call: SlackCall) => {
    const { ts: _ts, file_id: _fileId, files, team_id: team, ...args } = call.args;
    expect(team === undefined || team === slack.fake.teamId).toBe(true);
    const fileEntries = Array.isArray(files) ? (files as Record<string, unknown>[]).map(({ id: _id, ...rest }) => rest) : files;
    return { method: call.method, status: call.status, ok: call.response.ok, args: { ...args, ...(files === undefined ? {} : { files: fileEntries }) } };
  };
  const sections = (blocks: Block[]) => blocks.filter((b) => b.type === 'section').map((b) => b.text as { type: string; text: string });
  const actions = (blocks: Block[]) => blocks.filter((b) => b.type === 'actions').map((b) => b.elements as Record<string, unknown>[]);

  beforeAll(async () => {
    dm = slack.fake.dmOf(LIGA.id);
    // The first command links Līga by the e-mail Slack knows (users.info), as in production.
    const before = slack.fake.messagesIn(dm).length;
    expect((await slack.requests.command(LIGA.id, 'help')).status).toBe(200);
    await slack.fake.nextMessage(dm, before);
  });

  it('sends the message as the answer to `/ogp sample`', async () => {
    const from = slack.fake.calls.length;
    const messages = slack.fake.messagesIn(dm).length;
    const files = slack.fake.filesIn(dm).length;
    expect((await slack.requests.command(LIGA.id, 'sample')).status).toBe(200);
    // Bolt acknowledges first; the answer is complete when its file is shared.
    await slack.fake.waitFor(() => slack.fake.filesIn(dm).length > files);
    calls.reply = since(from);
    posted.reply = slack.fake.messagesIn(dm).slice(messages);
    expect(calls.reply.map((c) => c.method)).toEqual(['chat.postMessage', 'files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
  });

  it('sends the same message through the outbox to the same DM', async () => {
    const from = slack.fake.calls.length;
    const messages = slack.fake.messagesIn(dm).length;
    await produceDeliveries(outbox, [delivery(firstKey, 'slack', dm, message)]);
    const sent = await sentDelivery(firstKey);
    calls.outbox = since(from);
    posted.outbox = slack.fake.messagesIn(dm).slice(messages);
    expect(calls.outbox.map((c) => c.method)).toEqual(['chat.postMessage', 'files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
    expect(sent.platformMessageId).toBe(posted.outbox.at(-1)?.ts);
  });

  it('both arrive as the same calls: fallback text, blocks, file name and bytes', () => {
    expect(calls.outbox.map(comparable)).toEqual(calls.reply.map(comparable));
    expect(calls.reply.filter((c) => c.method === 'chat.postMessage').every((c) => c.args.channel === dm)).toBe(true);
    expect(calls.outbox.filter((c) => c.method === 'chat.postMessage').every((c) => c.args.channel === dm)).toBe(true);
    const shared = slack.fake.filesIn(dm).slice(-2);
    expect(shared.map(({ name, title, bytes }) => ({ name, title, bytes: bytes.toString('base64') }))).toEqual(
      Array(2).fill({ name: CSV_NAME, title: CSV_NAME, bytes: Buffer.from(CSV, 'utf8').toString('base64') }),
    );
  });

  it('respects the Block Kit limits, keeps the markup literal in plain_text and escapes the fallback', () => {
    for (const messages of [posted.reply, posted.outbox]) {
      expect(messages).toHaveLength(1);
      const [posting] = messages;
      const blocks = posting!.blocks;
      expect(blocks.length).toBeLessThanOrEqual(50);
      const texts = sections(blocks);
      expect(texts.length).toBeGreaterThan(1);
      for (const text of texts) {
        expect(text.type).toBe('plain_text');
        expect(text.text.length).toBeLessThanOrEqual(3000);
      }
      expect(JSON.stringify(blocks)).not.toContain('mrkdwn');
      // Split on line breaks, nothing lost: the markup characters arrive as typed.
      expect(texts.map((t) => t.text).join('\n')).toBe(TEXT);

      const rows = actions(blocks);
      expect(rows.map((r) => r.length)).toEqual([25, 6]);
      const buttons = rows.flat();
      expect(buttons.slice(0, 30).map((b) => [b.value, (b.text as { text: string }).text])).toEqual(CHOICES.map((c) => [c.id, c.label]));
      expect(buttons[30]).toMatchObject({ url: LINK.url, text: { type: 'plain_text', text: LINK.label } });
      expect(blocks.at(-1)?.type).toBe('actions');

      // The notification text is mrkdwn to Slack: `&`, `<`, `>` escaped, nothing else touched.
      const fallback = posting!.text;
      expect(fallback).toContain('*bold* _x_ ~y~ &lt;!channel&gt; &amp; &lt;b&gt;');
      expect(fallback).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
      const shown = unescapeFallback(fallback);
      expect(TEXT.startsWith(shown.replace(/…$/, ''))).toBe(true);
    }
  });

  it('edits the message the same way as a reply (by ts) and through the outbox (by delivery key)', async () => {
    const replyTarget = posted.reply.at(-1)!.ts;
    const outboxTarget = posted.outbox.at(-1)!.ts;
    const count = slack.fake.messages.length;

    let from = slack.fake.calls.length;
    expect((await slack.requests.command(LIGA.id, `sample_edit ${replyTarget}`)).status).toBe(200);
    await slack.fake.waitFor(() => slack.fake.callsTo('chat.update').some((c) => c.args.ts === replyTarget));
    editCalls.reply = since(from);

    from = slack.fake.calls.length;
    const editKey = `${firstKey}:edit`;
    await produceDeliveries(outbox, [delivery(editKey, 'slack', dm, { ...EDITED, edit: { deliveryKey: firstKey } })]);
    const edit = await sentDelivery(editKey);
    editCalls.outbox = since(from);
    expect(edit.platformMessageId).toBe(outboxTarget);

    expect(editCalls.reply.map((c) => [c.method, c.status, c.response.ok, c.args.ts])).toEqual([['chat.update', 200, true, replyTarget]]);
    expect(editCalls.outbox.map((c) => [c.method, c.status, c.response.ok, c.args.ts])).toEqual([['chat.update', 200, true, outboxTarget]]);
    expect(editCalls.outbox.map(comparable)).toEqual(editCalls.reply.map(comparable));

    expect(slack.fake.messages.length).toBe(count);
    const shown = (ts: string) => {
      const { ts: _ts, ...rest } = slack.fake.messagesIn(dm).find((m) => m.ts === ts)!;
      return rest;
    };
    expect(shown(replyTarget)).toEqual(shown(outboxTarget));
    const edited = shown(outboxTarget);
    expect(edited.edited).toBe(true);
    expect(edited.text).toBe('Atjaunināts: *bold* _x_ ~y~ &lt;!channel&gt; &amp; &lt;b&gt;\nŠī rinda ir jauna — ņemiet vērā.');
    expect(sections(edited.blocks)).toEqual([{ type: 'plain_text', text: EDITED.text, emoji: true }]);
    expect(actions(edited.blocks).flat().map((b) => [b.value, (b.text as { text: string }).text])).toEqual(EDITED.choices.map((c) => [c.id, c.label]));
  });
});
