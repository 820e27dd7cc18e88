import { inboundKeys } from '../../src/domain/chat/inbound-keys.js';
import { expectedHelp } from '../support/help.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Bot } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import mongoose from 'mongoose';
import { createTelegramBot, setCommandMenu } from '../../src/bots/telegram/bot.js';
import { telegramWebhookRoute } from '../../src/bots/telegram/runner.js';
import { PRIVATE_ONLY, TEMPORARY_ERROR } from '../../src/bots/telegram/texts.js';
import { createHttpServer, listen } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { createInvitation } from '../../src/domain/chat/invitations.js';
import { openRound } from '../../src/domain/rounds/rounds.js';
import { encodeReminderAction } from '../../src/domain/reminders/reminder-actions.js';
import { t, tBoth } from '../../src/i18n/index.js';
import { ChannelIdentityModel, ContactModel, ConversationStateModel, MeasureModel, ReminderStateModel } from '../../src/models/index.js';
import { useTestDatabase } from '../support/mongo.js';
import { commandMenu } from '../../src/domain/chat/help.js';
import { chatRegistry } from '../../src/domain/features.js';
import { SHIPPED_PLAN_KEY, importDemoContacts, loadShippedPlan } from '../support/plan.js';

/**
 * The adapter without a network: grammY's own update handling (bot.handleUpdate with a fixed
 * botInfo) and a transformer that records the Bot API calls instead of making them. The router,
 * the flows and the database behind it are real.
 */

useTestDatabase();

const BOT: UserFromGetMe = {
  id: 42,
  is_bot: true,
  first_name: 'OGP forums',
  username: 'ogp_forum_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

const silent = createLogger('silent');
let clock = new Date('2026-01-30T07:05:00Z');

interface Call {
  method: string;
  payload: Record<string, unknown>;
}

/** A bot whose API calls land in `calls`; sendMessage answers like Telegram, with a message id. */
function recordingBot(produce: () => Promise<unknown> = async () => undefined): { bot: Bot; calls: Call[] } {
  const calls: Call[] = [];
  let messageId = 1000;
  // Port 9 (discard): a call that escaped the recorder would fail loudly.
  const bot = createTelegramBot({ token: '123456:TEST-token', apiRoot: 'http://127.0.0.1:9', botInfo: BOT, produce, log: silent, now: () => clock });
  bot.api.config.use(async (_prev, method, payload) => {
    const p = payload as Record<string, unknown>;
    calls.push({ method, payload: p });
    const result =
      method === 'sendMessage'
        ? { message_id: ++messageId, date: 0, chat: { id: p.chat_id, type: 'private', first_name: 'X' }, text: p.text, reply_markup: p.reply_markup }
        : true;
    return { ok: true, result } as never;
  });
  return { bot, calls };
}

let updateId = 5000;
const person = (id: number) => ({ id, is_bot: false, first_name: `P${id}`, language_code: 'lv' });
const privateChat = (id: number) => ({ id, type: 'private' as const, first_name: `P${id}` });
const group = { id: -100200, type: 'supergroup' as const, title: 'Forums' };

function textUpdate(from: number, text: string, chat: { id: number; type: string } = privateChat(from)): Update {
  const command = /^\/\S+/.exec(text);
  return {
    update_id: ++updateId,
    message: {
      message_id: updateId,
      date: Math.floor(clock.getTime() / 1000),
      chat,
      from: person(from),
      text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
    },
  } as Update;
}

/** A press on `data` under the message the bot sent as `sent` (a recorded sendMessage). */
function pressUpdate(from: number, data: string, sent?: { message_id: number; reply_markup?: unknown }, chat: { id: number; type: string } = privateChat(from)): Update {
  return {
    update_id: ++updateId,
    callback_query: {
      id: `cq${updateId}`,
      from: person(from),
      chat_instance: 'ci',
      data,
      message: { message_id: sent?.message_id ?? 1, date: 0, chat, text: 'x', ...(sent?.reply_markup ? { reply_markup: sent.reply_markup } : {}) },
    },
  } as Update;
}

const sent = (calls: Call[]) => calls.filter((c) => c.method === 'sendMessage');
const texts = (calls: Call[]) => sent(calls).map((c) => c.payload.text);
const keyboard = (call: Call | undefined) => (call?.payload.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] } | undefined)?.inline_keyboard;

let liga: { id: string; measure: string; round: string };
const LIGA = 7001;

beforeAll(async () => {
  await loadShippedPlan();
  await importDemoContacts();
  const opened = await openRound({ planKey: SHIPPED_PLAN_KEY, key: '2025', title: { lv: 'Progress', en: 'Progress' }, deadlineDate: '2026-02-13', actor: 'test', now: new Date('2026-01-20T08:00:00Z') });
  if (!opened.ok) throw new Error(opened.error.message.en);
  const contact = await ContactModel.findOne({ email: 'liga.ozola@example.lv' }).lean();
  const measure = await MeasureModel.findOne({ code: '3.3' }).lean();
  liga = { id: String(contact?._id), measure: String(measure?._id), round: String(opened.round._id) };
});

beforeEach(async () => {
  clock = new Date('2026-01-30T07:05:00Z');
  await ConversationStateModel.deleteMany({});
});

async function linkLiga(bot: Bot, calls: Call[]) {
  if (await ChannelIdentityModel.exists({ externalId: String(LIGA) })) return;
  const { token } = await createInvitation({ contactId: liga.id, actor: 'test', now: clock });
  await bot.handleUpdate(textUpdate(LIGA, `/start ${token}`));
  calls.length = 0;
}

describe('Telegram adapter (bot.handleUpdate, no network)', () => {
  it('tells an unknown person how to get access, and nothing else', async () => {
    const { bot, calls } = recordingBot();
    await bot.handleUpdate(textUpdate(7100, '/start'));
    await bot.handleUpdate(textUpdate(7100, '/status'));
    await bot.handleUpdate(textUpdate(7100, 'Sveiki, kā iet?'));
    expect(texts(calls)).toEqual([tBoth('access.unknown_person'), tBoth('access.unknown_person'), tBoth('access.unknown_person')]);
    expect(sent(calls).every((c) => c.payload.reply_markup === undefined && String(c.payload.chat_id) === '7100')).toBe(true);
    expect(await ChannelIdentityModel.exists({ externalId: '7100' })).toBeNull();
  });

  it('links the account from the deep-link payload and shows the help with a report button', async () => {
    const { bot, calls } = recordingBot();
    const { token } = await createInvitation({ contactId: liga.id, actor: 'test', now: clock });
    await bot.handleUpdate(textUpdate(LIGA, `/start ${token}`));
    expect(texts(calls)).toEqual([t('lv', 'invite.accepted', { name: 'Līga Ozola' }), expectedHelp('lv', '/')]);
    expect(keyboard(sent(calls)[1])).toEqual([[{ text: 'Ziņot statusu', callback_data: 'sf:start' }]]);
    const identity = await ChannelIdentityModel.findOne({ channel: 'telegram', externalId: String(LIGA) }).lean();
    expect(identity).toMatchObject({ address: String(LIGA), active: true });
    expect(String(identity?.contact)).toBe(liga.id);
  });

  it('keeps the URL buttons of a pressed message (a meeting’s join link) and drops the ones that answer', async () => {
    const { bot, calls } = recordingBot();
    await linkLiga(bot, calls);
    calls.length = 0;
    const markup = {
      inline_keyboard: [
        [{ text: 'Piedalīšos klātienē', callback_data: 'xx:unknown' }],
        [{ text: 'Pievienoties tiešsaistē', url: 'https://meet.example.lv/padome' }],
      ],
    };
    await bot.handleUpdate(pressUpdate(LIGA, 'xx:unknown', { message_id: 1002, reply_markup: markup }));
    expect(calls.find((c) => c.method === 'editMessageReplyMarkup')?.payload).toEqual({
      chat_id: LIGA,
      message_id: 1002,
      reply_markup: { inline_keyboard: [[{ text: 'Pievienoties tiešsaistē', url: 'https://meet.example.lv/padome' }]] },
    });
  });

  it('renders choices one per row, answers every press, and removes the pressed keyboard', async () => {
    const { bot, calls } = recordingBot();
    await linkLiga(bot, calls);
    await bot.handleUpdate(textUpdate(LIGA, '/status'));
    const prompt = sent(calls).at(-1);
    expect(prompt?.payload.text).toContain(t('lv', 'flow.choose_status'));
    const rows = keyboard(prompt) ?? [];
    expect(rows.map((row) => row.length)).toEqual(rows.map(() => 1));
    expect(rows.map((row) => row[0]?.text)).toEqual(['nav uzsākts', 'procesā', 'būtisks progress', 'pabeigts', 'kavējas', 'Atcelt']);

    calls.length = 0;
    const message = { message_id: 1001, reply_markup: prompt?.payload.reply_markup };
    const press = pressUpdate(LIGA, rows[1]?.[0]?.callback_data ?? '', message);
    await bot.handleUpdate(press);
    expect(calls.find((c) => c.method === 'answerCallbackQuery')?.payload).toMatchObject({ callback_query_id: press.callback_query?.id });
    expect(calls.find((c) => c.method === 'editMessageReplyMarkup')?.payload).toEqual({ chat_id: LIGA, message_id: 1001, reply_markup: { inline_keyboard: [] } });
    expect(texts(calls).at(-1)).toContain(t('lv', 'flow.ask_note', { limit: t('lv', 'count.characters', { count: 1000 }) }));

    // Telegram sends the same update again (e.g. after a timeout): one answer only.
    calls.length = 0;
    await bot.handleUpdate(press);
    expect(sent(calls)).toEqual([]);
    expect(calls.map((c) => c.method)).toEqual(['answerCallbackQuery']);
  });

  it('maps /lang to the language choice and treats a command for another bot as text', async () => {
    const { bot, calls } = recordingBot();
    await linkLiga(bot, calls);
    await bot.handleUpdate(textUpdate(LIGA, '/lang'));
    expect(texts(calls)).toEqual([t('lv', 'language.choose')]);
    expect(keyboard(sent(calls)[0])).toEqual([[{ text: 'Latviešu', callback_data: 'lang:lv' }], [{ text: 'English', callback_data: 'lang:en' }]]);
    calls.length = 0;
    await bot.handleUpdate(textUpdate(LIGA, `/help@${BOT.username}`));
    expect(texts(calls)).toEqual([expectedHelp('lv', '/')]);
    calls.length = 0;
    await bot.handleUpdate(textUpdate(LIGA, '/help@some_other_bot'));
    expect(texts(calls)).not.toContain(expectedHelp('lv', '/'));
  });

  it('starts the flow from a reminder button at the status step', async () => {
    const { bot, calls } = recordingBot();
    await linkLiga(bot, calls);
    await bot.handleUpdate(pressUpdate(LIGA, encodeReminderAction({ kind: 'report', roundId: liga.round, measureId: liga.measure }), { message_id: 900, reply_markup: { inline_keyboard: [[{ text: 'Ziņot statusu', callback_data: 'x' }]] } }));
    expect(texts(calls).at(-1)).toContain(t('lv', 'flow.choose_status'));
    expect(texts(calls).at(-1)).toContain('3.3');
  });

  it('keeps groups polite: one note for a command, silence for chatter, a toast for a button', async () => {
    const { bot, calls } = recordingBot();
    await bot.handleUpdate(textUpdate(LIGA, '/status', group));
    await bot.handleUpdate(textUpdate(LIGA, 'labrīt visiem', group));
    await bot.handleUpdate(textUpdate(LIGA, '/status@some_other_bot', group));
    expect(sent(calls).map((c) => [String(c.payload.chat_id), c.payload.text])).toEqual([[String(group.id), PRIVATE_ONLY]]);
    calls.length = 0;
    await bot.handleUpdate(pressUpdate(LIGA, 'sf:start', undefined, group));
    expect(calls).toEqual([{ method: 'answerCallbackQuery', payload: { callback_query_id: expect.any(String), text: PRIVATE_ONLY.split('\n')[0] } }]);
    expect(await ConversationStateModel.countDocuments({})).toBe(0);
  });

  it('tells the person to try again when handling fails, and lets the same update run again', async () => {
    const failing = recordingBot(async () => {
      throw new Error('outbox down');
    });
    await linkLiga(failing.bot, failing.calls);
    // A coordinator with a chat, so "not my measure" has somebody to tell (through `produce`).
    const ilze = await ContactModel.findOne({ email: 'ilze.berzina@example.lv' }).lean();
    await ChannelIdentityModel.updateOne(
      { contact: ilze?._id, channel: 'telegram' },
      { $set: { externalId: '7002', address: '7002', active: true } },
      { upsert: true },
    );
    const decline = pressUpdate(LIGA, encodeReminderAction({ kind: 'decline', roundId: liga.round, measureId: liga.measure }), {
      message_id: 901,
      reply_markup: { inline_keyboard: [[{ text: 'Nav mans pasākums', callback_data: 'x' }]] },
    });
    await failing.bot.handleUpdate(decline);
    expect(texts(failing.calls)).toEqual([TEMPORARY_ERROR]);
    expect(failing.calls.some((c) => c.method === 'answerCallbackQuery')).toBe(true);
    // Buttons stay, so the person can press again.
    expect(failing.calls.some((c) => c.method === 'editMessageReplyMarkup')).toBe(false);

    const working = recordingBot();
    await working.bot.handleUpdate(decline);
    expect(texts(working.calls)).toEqual([t('lv', 'reminder.handed_over', { code: '3.3' })]);
    expect(await ReminderStateModel.countDocuments({ declinedAt: { $ne: null } })).toBe(1);
    await ReminderStateModel.deleteMany({});
  });

  it('sets the command menu from the registry: everyone’s in Latvian (also the default) and English, a coordinator’s in their chat', async () => {
    const ilze = await ContactModel.findOne({ email: 'ilze.berzina@example.lv' }).orFail().lean();
    await ChannelIdentityModel.updateOne(
      { contact: ilze._id, channel: 'telegram' },
      { $set: { externalId: '7301', address: '7301', active: true, linkedAt: clock } },
      { upsert: true },
    );
    const { bot, calls } = recordingBot();
    expect(await setCommandMenu(bot, silent)).toBe(true);
    const menus = calls.filter((c) => c.method === 'setMyCommands');
    const names = (call: Call | undefined) => (call?.payload.commands as { command: string }[]).map((c) => c.command);
    const descriptions = (call: Call | undefined) => (call?.payload.commands as { description: string }[]).map((c) => c.description);

    const everyone = menus.filter((c) => c.payload.scope === undefined);
    expect(everyone.map((c) => c.payload.language_code)).toEqual([undefined, 'lv', 'en']);
    expect(names(everyone[2])).toEqual(commandMenu(chatRegistry(), 'en', []).map((e) => e.command));
    expect(names(everyone[2])).toEqual(['status', 'mine', 'language', 'cancel', 'help', 'stop', 'settings', 'meetings']);
    expect(descriptions(everyone[1])).toEqual(commandMenu(chatRegistry(), 'lv', []).map((e) => e.description));

    const coordinator = menus.find((c) => (c.payload.scope as { chat_id?: string } | undefined)?.chat_id === '7301');
    expect(coordinator?.payload.scope).toEqual({ type: 'chat', chat_id: '7301' });
    expect(names(coordinator)).toEqual(commandMenu(chatRegistry(), ilze.language, ['coordinator']).map((e) => e.command));
    expect(names(coordinator)).toEqual(expect.arrayContaining(['overview', 'round', 'export']));
  });
});

describe('Telegram webhook route', () => {
  const secret = 'webhook-secret-0123456789';
  let url = '';
  let calls: Call[] = [];
  let close = async () => undefined as void;

  beforeAll(async () => {
    const recording = recordingBot();
    calls = recording.calls;
    const server = createHttpServer([telegramWebhookRoute(recording.bot, secret)], silent);
    const port = await listen(server, 0);
    url = `http://127.0.0.1:${port}/telegram/webhook`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('refuses a missing or wrong secret and handles nothing', async () => {
    const update = textUpdate(7300, '/help');
    expect((await post(JSON.stringify(update))).status).toBe(401);
    expect((await post(JSON.stringify(update), { 'X-Telegram-Bot-Api-Secret-Token': 'wrong-secret-0123456789' })).status).toBe(401);
    expect((await post(JSON.stringify(update), { 'X-Telegram-Bot-Api-Secret-Token': `${secret}x` })).status).toBe(401);
    expect(calls).toEqual([]);
    expect(await mongoose.connection.collection('inboundevents').countDocuments({ key: inboundKeys.telegramUpdate(BOT.id, update.update_id) })).toBe(0);
  });

  it('accepts the right secret and handles the update', async () => {
    const update = textUpdate(7300, '/help');
    const response = await post(JSON.stringify(update), { 'X-Telegram-Bot-Api-Secret-Token': secret });
    expect(response.status).toBe(200);
    expect(texts(calls)).toEqual([tBoth('access.unknown_person')]);
  });

  it('answers 400 to a body that is not JSON', async () => {
    const response = await post('{not json', { 'X-Telegram-Bot-Api-Secret-Token': secret });
    expect(response.status).toBe(400);
  });

  it('refuses to build a route without a secret', () => {
    expect(() => telegramWebhookRoute(recordingBot().bot, '')).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });
});
