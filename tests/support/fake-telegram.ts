import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { CallbackQuery, Message, Update, User } from 'grammy/types';
import {
  ApiFailureError,
  captionParam,
  chatIdOf,
  fileParam,
  inlineMarkupParam,
  integerParam,
  readParams,
  telegramFailures,
  textParam,
  type ApiFailure,
  type UploadedFile,
} from './fake-telegram-format.js';
import { Waiters } from './waiters.js';

export { telegramFailures, type ApiFailure, type UploadedFile } from './fake-telegram-format.js';

/**
 * A local Telegram Bot API server for the tests and the benchmark: POST /bot<token>/<method>,
 * answers in Telegram's format with realistic Message objects, and fails like Telegram
 * (429 with retry_after, 403 blocked, 400 chat not found, 401 for a wrong token, 5xx).
 * Programmable: blocked or unknown chats, "fail the next K calls", optional enforcement of
 * Telegram's limits, an update queue for getUpdates long polling, and webhook delivery.
 */

export interface TelegramCall {
  method: string;
  params: Record<string, unknown>;
  /**
   * performance.now() when the request arrived, after any latency and jitter (when the platform
   * counted it against its limits): monotonic milliseconds.
   */
  at: number;
  /** HTTP status answered; 0 when the fake dropped the connection. */
  status: number;
  result?: unknown;
  description?: string;
}

export interface FakeTelegramLimits {
  /** Messages per rolling second over all chats (Telegram: 30). */
  perSecond: number;
  /** Smallest gap between two messages to one chat (Telegram: about 1000 ms). */
  perChatMs: number;
}

export interface FakeTelegramOptions {
  token?: string;
  username?: string;
  /** Enforce limits with 429s; off unless given. */
  limits?: FakeTelegramLimits | false;
  /** Added before every answer. */
  latencyMs?: number;
  /**
   * Network jitter: a further random delay in [min, max] ms before a request is counted and
   * answered, so requests sent in one order may arrive in another, closer together than sent.
   */
  jitterMs?: { min: number; max: number } | false;
  /** Upper bound for getUpdates' long-poll `timeout`, so tests never wait 50 s. */
  maxPollSeconds?: number;
}

/** Methods that put something into a chat and count against Telegram's limits. */
const CHAT_WRITES = new Set(['sendMessage', 'sendDocument', 'sendPhoto', 'editMessageText', 'editMessageReplyMarkup']);

type Handler = (params: Record<string, unknown>, req: IncomingMessage) => unknown;

export class FakeTelegram {
  readonly token: string;
  readonly bot: User;
  readonly calls: TelegramCall[] = [];
  /** Every message in every chat (the bot's and the users'), by chat id. */
  readonly chats = new Map<number, Message[]>();
  /** Every file uploaded, by the file_id its message carries, with the name and bytes as sent. */
  readonly files = new Map<string, UploadedFile>();
  webhook: { url: string; secretToken?: string } | null = null;
  apiRoot = '';
  limits: FakeTelegramLimits | false;
  latencyMs: number;
  jitterMs: { min: number; max: number } | false;

  private server?: Server;
  private readonly chatState = new Map<number, ApiFailure>();
  private readonly failures: { remaining: number; until?: number; failure: ApiFailure; method?: string; chatId?: number }[] = [];
  private readonly gates: { released: Promise<void>; method?: string; chatId?: number }[] = [];
  private readonly recentWrites: number[] = [];
  private readonly lastWriteByChat = new Map<number, number>();
  private readonly updates: Update[] = [];
  private readonly redelivered: Update[] = [];
  private lastUpdateId = 0;
  private readonly pollers = new Set<() => void>();
  private readonly waiters = new Waiters();
  private readonly openQueries = new Set<string>();
  private queryCount = 0;
  private readonly handlers: Record<string, Handler>;
  private readonly maxPollSeconds: number;

  constructor(options: FakeTelegramOptions = {}) {
    this.token = options.token ?? '123456789:TEST-fake-token_for-tests';
    const id = Number(this.token.split(':')[0]);
    this.bot = { id, is_bot: true, first_name: 'OGP forums', username: options.username ?? 'ogp_forum_test_bot' };
    this.limits = options.limits ?? false;
    this.latencyMs = options.latencyMs ?? 0;
    this.jitterMs = options.jitterMs ?? false;
    this.maxPollSeconds = options.maxPollSeconds ?? 2;
    this.handlers = {
      getMe: () => ({ ...this.bot, can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false }),
      sendMessage: (p) => this.sendMessage(p),
      sendDocument: (p) => this.sendFile(p, 'document'),
      sendPhoto: (p) => this.sendFile(p, 'photo'),
      editMessageText: (p) => this.editMessage(p, true),
      editMessageReplyMarkup: (p) => this.editMessage(p, false),
      answerCallbackQuery: (p) => this.answerCallbackQuery(p),
      deleteMessage: (p) => this.deleteMessage(p),
      getUpdates: (p, req) => this.getUpdates(p, req),
      setWebhook: (p) => this.setWebhook(p),
      deleteWebhook: (p) => {
        this.webhook = null;
        if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') this.updates.length = 0;
        return true;
      },
      getWebhookInfo: () => ({ url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.updates.length }),
      setMyCommands: () => true,
      deleteMyCommands: () => true,
      getMyCommands: () => [],
      setChatMenuButton: () => true,
      sendChatAction: (p) => {
        this.checkChat(chatIdOf(p));
        return true;
      },
    };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.apiRoot = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const wake of [...this.pollers]) wake();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  /** The chat's user blocked the bot: sends answer 403. */
  block(chatId: number | string): void {
    this.chatState.set(Number(chatId), telegramFailures.blocked());
  }

  /** The chat does not exist for the bot: sends answer 400 chat not found. */
  forgetChat(chatId: number | string): void {
    this.chatState.set(Number(chatId), telegramFailures.chatNotFound());
  }

  unblock(chatId: number | string): void {
    this.chatState.delete(Number(chatId));
  }

  /** The next `count` calls (optionally only of `method` / to `chatId`) fail with `failure`. */
  failNext(count: number, failure: ApiFailure, filter: { method?: string; chatId?: number | string } = {}): void {
    const chatId = filter.chatId === undefined ? undefined : Number(filter.chatId);
    this.failures.push({ remaining: count, failure, method: filter.method, chatId });
  }

  /**
   * Holds every matching call, unanswered, until the returned function is called: a chat whose
   * answers hang for exactly as long as the test wants, with no timer to race.
   */
  hold(filter: { method?: string; chatId?: number | string } = {}): () => void {
    let release!: () => void;
    const gate = { released: new Promise<void>((resolve) => (release = resolve)), method: filter.method, chatId: filter.chatId === undefined ? undefined : Number(filter.chatId) };
    this.gates.push(gate);
    return () => {
      this.gates.splice(this.gates.indexOf(gate), 1);
      release();
    };
  }

  /** Answers every matching call with `failure` for the next `ms` milliseconds (e.g. a 429 storm). */
  failFor(ms: number, failure: ApiFailure, filter: { method?: string; chatId?: number | string } = {}): void {
    const chatId = filter.chatId === undefined ? undefined : Number(filter.chatId);
    this.failures.push({ remaining: Infinity, until: performance.now() + ms, failure, method: filter.method, chatId });
  }

  callsTo(method: string): TelegramCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Messages the bot got through, optionally in one chat. */
  sent(chatId?: number | string): TelegramCall[] {
    return this.calls.filter(
      (call) => call.method === 'sendMessage' && call.status === 200 && (chatId === undefined || Number(call.params.chat_id) === Number(chatId)),
    );
  }

  /** Resolves once `predicate` holds (checked when a call arrives and when it is answered), or rejects after `timeoutMs`. */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5_000): Promise<T> {
    return this.waiters.waitFor(predicate, timeoutMs, () => `fake Telegram: condition not met (${this.calls.length} calls)`);
  }

  /** Queues an update for getUpdates; the update_id is assigned here. */
  pushUpdate(update: Omit<Update, 'update_id'>): Update {
    const full = { ...update, update_id: ++this.lastUpdateId } as Update;
    this.updates.push(full);
    for (const wake of [...this.pollers]) wake();
    return full;
  }

  /**
   * Hands an update out once more with its own update_id, as Telegram does when it did not see the
   * confirmation (a crash between handling and the next getUpdates) or retries a webhook.
   */
  redeliver(update: Update): void {
    this.redelivered.push(update);
    for (const wake of [...this.pollers]) wake();
  }

  /** A user writes `text` to the bot in their private chat (chat id = user id). */
  userMessage(userId: number, text: string, from: Partial<User> = {}): Update {
    const user = this.user(userId, from);
    const command = /^\/\S+/.exec(text)?.[0];
    const entities = command ? [{ type: 'bot_command' as const, offset: 0, length: command.length }] : undefined;
    const message = this.store(userId, { from: user, text, ...(entities ? { entities } : {}) });
    return this.pushUpdate({ message: message as Update['message'] & Message });
  }

  /** A user presses an inline button of the bot's message `messageId` in their private chat. */
  userPress(userId: number, messageId: number, data: string, from: Partial<User> = {}): Update {
    const message = this.chats.get(userId)?.find((m) => m.message_id === messageId);
    if (!message) throw new Error(`fake Telegram: no message ${messageId} in chat ${userId}`);
    const id = `${this.bot.id}${++this.queryCount}`;
    this.openQueries.add(id);
    const query: CallbackQuery = { id, from: this.user(userId, from), message, chat_instance: `ci${userId}`, data };
    return this.pushUpdate({ callback_query: query });
  }

  /** POSTs an update to the webhook set with setWebhook, as Telegram would; returns the HTTP status. */
  async deliverToWebhook(update: Update): Promise<number> {
    if (!this.webhook) throw new Error('fake Telegram: no webhook set');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.webhook.secretToken) headers['x-telegram-bot-api-secret-token'] = this.webhook.secretToken;
    const response = await fetch(this.webhook.url, { method: 'POST', headers, body: JSON.stringify(update) });
    await response.arrayBuffer();
    return response.status;
  }

  private user(id: number, from: Partial<User>): User {
    return { id, is_bot: false, first_name: `User ${id}`, language_code: 'lv', ...from };
  }

  /** Private chats share one message_id sequence between the user and the bot, as in Telegram. */
  private store(chatId: number, fields: Partial<Message>): Message {
    const list = this.chats.get(chatId) ?? [];
    this.chats.set(chatId, list);
    const message = {
      message_id: (list.at(-1)?.message_id ?? 0) + 1,
      date: Math.floor(Date.now() / 1000),
      chat: chatId > 0 ? { id: chatId, type: 'private', first_name: `User ${chatId}` } : { id: chatId, type: 'group', title: `Group ${chatId}` },
      ...fields,
    } as Message;
    list.push(message);
    return message;
  }

  private checkChat(chatId: number): void {
    const state = this.chatState.get(chatId);
    if (state) throw new ApiFailureError(state);
  }

  private sendMessage(p: Record<string, unknown>): Message {
    const chatId = chatIdOf(p);
    this.checkChat(chatId);
    const text = textParam(p);
    const reply_markup = inlineMarkupParam(p);
    return this.store(chatId, { from: this.bot, text, ...(reply_markup ? { reply_markup } : {}) } as Partial<Message>);
  }

  /**
   * A document keeps its file name; a photo, as in Telegram, does not (the name stays in `files`).
   * Photo dimensions are not read from the bytes: 1×1 stands in for them.
   */
  private sendFile(p: Record<string, unknown>, kind: 'document' | 'photo'): Message {
    const chatId = chatIdOf(p);
    this.checkChat(chatId);
    const file = fileParam(p, kind, (id) => this.files.get(id));
    const caption = captionParam(p);
    const reply_markup = inlineMarkupParam(p);
    // A file sent again by its file_id keeps that id, as in Telegram.
    const file_id = typeof p[kind] === 'string' ? p[kind] : `${kind}-${this.files.size + 1}`;
    this.files.set(file_id, file);
    const ids = { file_id, file_unique_id: `u${file_id}`, file_size: file.bytes.length };
    const media = kind === 'document' ? { document: { ...ids, file_name: file.name } } : { photo: [{ ...ids, width: 1, height: 1 }] };
    return this.store(chatId, { from: this.bot, ...media, ...(caption ? { caption } : {}), ...(reply_markup ? { reply_markup } : {}) } as Partial<Message>);
  }

  private editMessage(p: Record<string, unknown>, withText: boolean): Message {
    const chatId = chatIdOf(p);
    this.checkChat(chatId);
    const messageId = integerParam(p, 'message_id');
    const message = this.chats.get(chatId)?.find((m) => m.message_id === messageId && m.from?.id === this.bot.id);
    if (!message) throw new ApiFailureError(telegramFailures.badRequest('message to edit not found'));
    if (withText && message.text === undefined) throw new ApiFailureError(telegramFailures.badRequest('there is no text in the message to edit'));
    const text = withText ? textParam(p) : message.text;
    // An empty inline keyboard removes the buttons, as in Telegram: the message has no markup then.
    const given = inlineMarkupParam(p);
    const markup = given && given.inline_keyboard.length > 0 ? given : undefined;
    if (text === message.text && JSON.stringify(markup) === JSON.stringify(message.reply_markup)) {
      throw new ApiFailureError(
        telegramFailures.badRequest(
          'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
        ),
      );
    }
    Object.assign(message, { text, edit_date: Math.floor(Date.now() / 1000) });
    if (markup) Object.assign(message, { reply_markup: markup });
    else delete (message as { reply_markup?: unknown }).reply_markup;
    return message;
  }

  private deleteMessage(p: Record<string, unknown>): boolean {
    const chatId = chatIdOf(p);
    const list = this.chats.get(chatId) ?? [];
    const index = list.findIndex((m) => m.message_id === integerParam(p, 'message_id'));
    if (index < 0) throw new ApiFailureError(telegramFailures.badRequest('message to delete not found'));
    list.splice(index, 1);
    return true;
  }

  private answerCallbackQuery(p: Record<string, unknown>): boolean {
    const id = String(p.callback_query_id ?? '');
    if (!this.openQueries.delete(id)) {
      throw new ApiFailureError(telegramFailures.badRequest('query is too old and response timeout expired or query ID is invalid'));
    }
    return true;
  }

  private setWebhook(p: Record<string, unknown>): boolean {
    const url = String(p.url ?? '');
    if (url === '') {
      this.webhook = null;
      return true;
    }
    if (!/^https?:\/\//.test(url)) throw new ApiFailureError(telegramFailures.badRequest('bad webhook: An HTTPS URL must be provided for webhook'));
    const secret = typeof p.secret_token === 'string' ? p.secret_token : undefined;
    if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
      throw new ApiFailureError(telegramFailures.badRequest('secret token contains unallowed characters'));
    }
    this.webhook = { url, ...(secret ? { secretToken: secret } : {}) };
    if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') this.updates.length = 0;
    return true;
  }

  private async getUpdates(p: Record<string, unknown>, req: IncomingMessage): Promise<Update[]> {
    if (this.webhook) {
      throw new ApiFailureError({
        kind: 'api',
        status: 409,
        description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
    }
    const offset = integerParam(p, 'offset', 0);
    // Asking from `offset` confirms every update before it, as in Telegram.
    if (offset > 0) while (this.updates.length > 0 && this.updates[0]!.update_id < offset) this.updates.shift();
    const limit = Math.min(Math.max(integerParam(p, 'limit', 100), 1), 100);
    const timeoutMs = Math.min(integerParam(p, 'timeout', 0), this.maxPollSeconds) * 1000;
    if (this.updates.length === 0 && this.redelivered.length === 0 && timeoutMs > 0) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.pollers.delete(wake);
          req.socket.off('close', wake);
          resolve();
        };
        const timer = setTimeout(wake, timeoutMs);
        this.pollers.add(wake);
        req.socket.once('close', wake);
      });
    }
    return [...this.redelivered.splice(0), ...this.updates].slice(0, limit);
  }

  /** Telegram's limits, when enforced: a rolling second over all chats, and a gap per chat. */
  private limitFailure(method: string, params: Record<string, unknown>, now: number): ApiFailure | undefined {
    if (!this.limits || !CHAT_WRITES.has(method)) return undefined;
    while (this.recentWrites.length > 0 && this.recentWrites[0]! <= now - 1000) this.recentWrites.shift();
    if (this.recentWrites.length >= this.limits.perSecond) {
      return telegramFailures.tooManyRequests(Math.max(1, Math.ceil((this.recentWrites[0]! + 1000 - now) / 1000)));
    }
    const chatId = Number(params.chat_id);
    const last = this.lastWriteByChat.get(chatId);
    if (last !== undefined && now - last < this.limits.perChatMs) {
      return telegramFailures.tooManyRequests(Math.max(1, Math.ceil((last + this.limits.perChatMs - now) / 1000)));
    }
    return undefined;
  }

  private takeFailure(method: string, params: Record<string, unknown>): ApiFailure | undefined {
    const chatId = params.chat_id === undefined ? undefined : Number(params.chat_id);
    const now = performance.now();
    for (const expired of this.failures.filter((f) => f.until !== undefined && f.until <= now)) this.failures.splice(this.failures.indexOf(expired), 1);
    const rule = this.failures.find((f) => f.remaining > 0 && (!f.method || f.method === method) && (f.chatId === undefined || f.chatId === chatId));
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) this.failures.splice(this.failures.indexOf(rule), 1);
    return rule.failure;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const method = match ? (Object.keys(this.handlers).find((name) => name.toLowerCase() === match[2]!.toLowerCase()) ?? match[2]!) : '';
    const call: TelegramCall = { method, params: {}, at, status: 0 };
    const answer = (status: number, body: Record<string, unknown>) => {
      call.status = status;
      if (body.ok) call.result = body.result;
      else call.description = String(body.description);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const fail = (failure: ApiFailure) => {
      if (failure.kind === 'disconnect') return void req.socket.destroy();
      if (failure.kind === 'html') {
        call.status = failure.status;
        return void res.writeHead(failure.status, { 'content-type': 'text/html' }).end(`<html><body><h1>${failure.status}</h1></body></html>`);
      }
      answer(failure.status, {
        ok: false,
        error_code: failure.status,
        description: failure.description,
        ...(failure.retryAfter !== undefined ? { parameters: { retry_after: failure.retryAfter } } : {}),
      });
    };

    try {
      call.params = await readParams(req, url);
      this.calls.push(call);
      // Waiters may care that a call arrived (e.g. a getUpdates from a higher offset), not only that it ended.
      this.waiters.notify();
      const chatId = call.params.chat_id === undefined ? undefined : Number(call.params.chat_id);
      const delayMs = this.latencyMs + (this.jitterMs ? this.jitterMs.min + Math.random() * (this.jitterMs.max - this.jitterMs.min) : 0);
      if (delayMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        call.at = performance.now();
      }
      const gate = this.gates.find((g) => (!g.method || g.method === method) && (g.chatId === undefined || g.chatId === chatId));
      if (gate) await gate.released;
      if (!match) return fail(telegramFailures.notFound());
      if (match[1] !== this.token) return fail(telegramFailures.unauthorized());
      const handler = this.handlers[method];
      if (!handler) return fail(telegramFailures.notFound());
      const failure = this.takeFailure(method, call.params) ?? this.limitFailure(method, call.params, performance.now());
      if (failure) return fail(failure);
      const result = await handler(call.params, req);
      if (CHAT_WRITES.has(method)) {
        const now = performance.now();
        this.recentWrites.push(now);
        this.lastWriteByChat.set(Number(call.params.chat_id), now);
      }
      answer(200, { ok: true, result });
    } catch (error) {
      if (error instanceof ApiFailureError) fail(error.failure);
      else fail(telegramFailures.badRequest(error instanceof Error ? error.message : String(error)));
    } finally {
      if (!this.calls.includes(call)) this.calls.push(call);
      this.waiters.notify();
    }
  }
}
