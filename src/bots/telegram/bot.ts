import { Bot, GrammyError, HttpError, type Context } from 'grammy';
import { sequentialize } from '@grammyjs/runner';
import type { UserFromGetMe } from 'grammy/types';
import { handleInbound, type InboundEvent, type InboundResult } from '../../domain/chat/router.js';
import { inboundKeys } from '../../domain/chat/inbound-keys.js';
import type { OutboundMessage } from '../../domain/outbound-message.js';
import type { Reply } from '../../domain/chat/message.js';
import type { Logger } from '../../log.js';
import type { Sender } from '../../domain/chat/channel.js';
import { handOffReplies, worthHandingOff } from '../../domain/chat/reply-handoff.js';
import { isCommandForUs, isPersonContent, toInboundEvent } from './inbound.js';
import { retryShortRateLimits } from './rate-limit.js';
import { createTelegramSender } from './sender.js';
import { PRIVATE_ONLY, TEMPORARY_ERROR } from './texts.js';
import type { BroadcastJobs } from '../../domain/broadcasts/broadcasts.js';
import type { InboundLimiter } from '../../domain/chat/inbound-limit.js';
import type { ChatRegistry } from '../../domain/chat/registry.js';
import { commandMenu } from '../../domain/chat/help.js';
import { chatRegistry } from '../../domain/features.js';
import { COORDINATORS, resolveAudience } from '../../domain/audiences.js';

/**
 * The grammY adapter: a Telegram update becomes one handleInbound call, and its replies become
 * messages with inline keyboards. Everything that matters (who the person is, where their
 * conversation stands, whether this update was seen) lives in MongoDB behind the router, so any
 * Bot instance, in any process, can take the next update.
 */

export interface TelegramBotOptions {
  token: string;
  /** TELEGRAM_API_ROOT: api.telegram.org, a self-hosted Bot API server, or the tests' fake. */
  apiRoot: string;
  /** Known bot identity; without it the first update (or start) asks getMe. */
  botInfo?: UserFromGetMe;
  /** Sends coordinator notices through the outbox. */
  produce: (messages: OutboundMessage[]) => Promise<unknown>;
  log: Logger;
  /** Injected clock for tests. */
  now?: () => Date;
  /** The features the router dispatches to; the product's own unless a test brings its own. */
  registry?: ChatRegistry;
  /** Starts confirmed broadcasts at once (jobs/broadcast-queue.ts); without it the scheduler's sweep does. */
  broadcasts?: BroadcastJobs;
  /** The per-person inbound limit (src/inbound-limiter.ts); without it nothing is limited. */
  limiter?: InboundLimiter;
}

export const TELEGRAM_ALLOWED_UPDATES = ['message', 'callback_query'] as const;

export function createTelegramBot(options: TelegramBotOptions): Bot {
  const { log } = options;
  const bot = new Bot(options.token, { botInfo: options.botInfo, client: { apiRoot: options.apiRoot } });
  bot.api.config.use(retryShortRateLimits());
  // Replies render exactly as outbox messages do; only the client differs (short waits on a 429).
  const sender = createTelegramSender(bot.api);
  const send = (ctx: Context, chatId: number, replies: Reply[]) => sendReplies(sender, ctx, chatId, replies, log);
  /** An answer to an update: what Telegram will not take now goes to the outbox instead (chat/reply-handoff.ts). */
  const answer = (ctx: Context, chatId: number, replies: Reply[]) =>
    sendReplies(sender, ctx, chatId, replies, log, (from) =>
      options.produce(handOffReplies({ eventKey: updateKey(ctx), channel: 'telegram', address: String(chatId), replies, from })),
    );
  const updateKey = (ctx: Context) => inboundKeys.telegramUpdate(ctx.me.id, ctx.update.update_id);

  const handle = async (ctx: Context, event: InboundEvent): Promise<InboundResult | null> => {
    const from = ctx.from;
    const chat = ctx.chat;
    if (!from || !chat) return null;
    try {
      return await handleInbound(
        {
          channel: 'telegram',
          externalId: String(from.id),
          address: String(chat.id),
          commandPrefix: '/',
          now: options.now?.(),
          dedupeKey: updateKey(ctx),
        },
        event,
        { produce: options.produce, registry: options.registry, broadcasts: options.broadcasts, limiter: options.limiter },
      );
    } catch (error) {
      log.error({ update: ctx.update.update_id, event: event.type, error: describeError(error) }, 'telegram update failed');
      await send(ctx, chat.id, [{ text: TEMPORARY_ERROR, choices: [] }]);
      return null;
    }
  };

  // A pressed button spins until answered, and Telegram refuses an answer after about 15 s: answer
  // as soon as the press arrives, before it waits its turn behind the chat's earlier updates.
  bot.on('callback_query:data', async (ctx, next) => {
    if (ctx.chat?.type === 'private') void ctx.answerCallbackQuery().catch((error: unknown) => warn(log, ctx, 'answerCallbackQuery', error));
    await next();
  });
  // Updates are handled concurrently (the runner, or webhook requests side by side); one chat's,
  // one at a time and in order, as a conversation needs.
  bot.use(sequentialize((ctx) => (ctx.chat ?? ctx.from)?.id.toString()));

  const privateChats = bot.chatType('private');

  privateChats.on('message', async (ctx) => {
    if (!isPersonContent(ctx.message)) return;
    const event = toInboundEvent(ctx.message, ctx.me.username);
    const result = await handle(ctx, event);
    if (result) await answer(ctx, ctx.chat.id, result.replies);
    logResult(log, ctx, event, result);
  });

  privateChats.on('callback_query:data', async (ctx) => {
    const event: InboundEvent = { type: 'choice', id: ctx.callbackQuery.data };
    const result = await handle(ctx, event);
    if (result) {
      await Promise.all([
        // The domain refuses stale buttons anyway; removing them shows the person they are used.
        result.outcome === 'duplicate' ? undefined : removeKeyboard(ctx, log),
        answer(ctx, ctx.chat.id, result.replies),
      ]);
    }
    logResult(log, ctx, event, result);
  });

  // Status replies are personal: in groups, say so once per command and ignore the rest.
  bot.on('message', async (ctx) => {
    if (ctx.chat.type === 'private' || !isCommandForUs(ctx.message, ctx.me.username)) return;
    await send(ctx, ctx.chat.id, [{ text: PRIVATE_ONLY, choices: [] }]);
  });
  bot.on('callback_query', async (ctx) => {
    const note = ctx.chat && ctx.chat.type !== 'private' ? { text: PRIVATE_ONLY.split('\n')[0] } : {};
    await ctx.answerCallbackQuery(note).catch((error: unknown) => warn(log, ctx, 'answerCallbackQuery', error));
  });

  // The default handler stops polling on the first error; one bad update must not stop the bot.
  bot.catch((error) => {
    log.error({ update: error.ctx.update.update_id, error: describeError(error.error) }, 'telegram middleware failed');
  });
  return bot;
}

/**
 * The "/" menu, read off the registry like /help: everyone gets the commands anyone may use (in
 * Latvian, also the default for other languages, and in English); each coordinator's own chat gets
 * theirs as well, in their language (Telegram picks the chat scope over the default). A coordinator
 * linked later gets the menu at the next start; the commands work when typed all the same.
 */
export async function setCommandMenu(bot: Bot, log: Logger, registry: ChatRegistry = chatRegistry()): Promise<boolean> {
  const everyone = (lang: 'lv' | 'en') => commandMenu(registry, lang, []);
  try {
    await Promise.all([
      bot.api.setMyCommands(everyone('lv')),
      bot.api.setMyCommands(everyone('lv'), { language_code: 'lv' }),
      bot.api.setMyCommands(everyone('en'), { language_code: 'en' }),
    ]);
    const coordinators = (await resolveAudience(COORDINATORS)).filter((r) => r.channel === 'telegram');
    for (const c of coordinators) {
      await bot.api.setMyCommands(commandMenu(registry, c.language, ['coordinator']), { scope: { type: 'chat', chat_id: c.address } });
    }
    return true;
  } catch (error) {
    // A missing menu is cosmetic; the commands still work when typed.
    log.warn({ error: describeError(error) }, 'telegram command menu not set');
    return false;
  }
}

/** Replies in order; a failure is logged and ends this answer (the next piece would read oddly alone). */
async function sendReplies(
  sender: Sender,
  ctx: Context,
  chatId: number,
  replies: Reply[],
  log: Logger,
  /** Hands the replies from `from` on to the outbox; without it a failed reply is only logged. */
  handOff?: (from: number) => Promise<unknown>,
): Promise<void> {
  for (const [index, reply] of replies.entries()) {
    try {
      await sender.send({ address: String(chatId), message: reply });
    } catch (error) {
      // The sender classifies; the log wants Telegram's own words and the method that failed.
      const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
      warn(log, ctx, cause instanceof GrammyError ? cause.method : 'send', cause);
      if (handOff && worthHandingOff(error)) {
        await handOff(index).then(
          () => log.info({ update: ctx.update.update_id, replies: replies.length - index }, 'replies handed to the outbox'),
          (handOffError: unknown) => warn(log, ctx, 'outbox', handOffError),
        );
      }
      return;
    }
  }
}

/**
 * The pressed message keeps only its URL buttons (a meeting's "join online" link stays usable);
 * its callback buttons go, which shows the person they are used.
 */
async function removeKeyboard(ctx: Context, log: Logger): Promise<void> {
  const message = ctx.callbackQuery?.message;
  if (!message || !('reply_markup' in message) || !message.reply_markup) return;
  const links = message.reply_markup.inline_keyboard.map((row) => row.filter((button) => 'url' in button)).filter((row) => row.length > 0);
  try {
    await ctx.api.editMessageReplyMarkup(message.chat.id, message.message_id, { reply_markup: { inline_keyboard: links } });
  } catch (error) {
    // "message is not modified" (another tap removed it first) and too-old messages are expected.
    if (error instanceof GrammyError && error.error_code === 400) return;
    warn(log, ctx, 'editMessageReplyMarkup', error);
  }
}

function warn(log: Logger, ctx: Context, method: string, error: unknown): void {
  log.warn({ update: ctx.update.update_id, method, error: describeError(error) }, 'telegram call failed');
}

function logResult(log: Logger, ctx: Context, event: InboundEvent, result: InboundResult | null): void {
  if (!result) return;
  const what = event.type === 'command' ? `command:${event.name}` : event.type;
  log.debug({ update: ctx.update.update_id, event: what, outcome: result.outcome, replies: result.replies.length }, 'telegram update handled');
}

/**
 * An error as a log line without secrets: Telegram's code and description, or the network
 * failure with any bot token in a URL hidden. Never the payload (it holds message texts).
 */
export function describeError(error: unknown): string {
  if (error instanceof GrammyError) return `${error.method}: ${error.error_code} ${error.description}`;
  const message = error instanceof HttpError ? `${error.message} ${String((error.error as Error | undefined)?.message ?? '')}` : String((error as Error)?.message ?? error);
  return message.replace(/bot\d+:[A-Za-z0-9_-]+/g, 'bot[token]');
}
