import { performance } from 'node:perf_hooks';
import type { InlineKeyboardButton, Message, Update, User } from 'grammy/types';
import type { FakeTelegram } from './fake-telegram.js';
import { untilQuiet } from './waiters.js';

/**
 * A person in a private chat with the bot, played against the fake Bot API: write, press a
 * button by its label, wait for what the bot says next. Reads the fake's chat store, so it sees
 * the chat as the person would (edited keyboards included). Times from each answer the person
 * gives (update queued) to the bot's next message arriving at the fake go into a LatencyLog.
 */

type CallbackButton = InlineKeyboardButton.CallbackButton;

export function buttons(message: Message | undefined): CallbackButton[] {
  const rows = (message?.reply_markup?.inline_keyboard ?? []) as InlineKeyboardButton[][];
  return rows.flat().filter((b): b is CallbackButton => 'callback_data' in b);
}

export const labels = (message: Message | undefined): string[] => buttons(message).map((b) => b.text);

export class LatencyLog {
  readonly samples: number[] = [];

  add(ms: number): void {
    this.samples.push(ms);
  }

  summary(): { count: number; medianMs: number; worstMs: number } {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    const median = sorted.length === 0 ? Number.NaN : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    return { count: sorted.length, medianMs: Math.round(median * 10) / 10, worstMs: Math.round((sorted.at(-1) ?? Number.NaN) * 10) / 10 };
  }
}

export interface TelegramUserOptions {
  from?: Partial<User>;
  latency?: LatencyLog;
  timeoutMs?: number;
}

export class TelegramUser {
  /** Bot messages already returned by next(). */
  private read = 0;
  private answeredAt: number | null = null;

  constructor(
    readonly fake: FakeTelegram,
    readonly id: number,
    private readonly options: TelegramUserOptions = {},
  ) {
    this.read = this.botMessages().length;
  }

  /** Everything the bot has sent to this chat, as it looks now. */
  botMessages(): Message[] {
    return (this.fake.chats.get(this.id) ?? []).filter((m) => m.from?.id === this.fake.bot.id);
  }

  lastBotMessage(): Message | undefined {
    return this.botMessages().at(-1);
  }

  say(text: string): Update {
    this.answered();
    return this.fake.userMessage(this.id, text, this.options.from);
  }

  /** Presses the button labelled `label` on `message`, or on the newest bot message that has one. */
  press(label: string, message?: Message): Update {
    const target = message ?? [...this.botMessages()].reverse().find((m) => labels(m).includes(label));
    const button = buttons(target).find((b) => b.text === label);
    if (!target || !button) {
      throw new Error(`no button '${label}' in chat ${this.id}; the last message has [${labels(this.lastBotMessage()).join(' | ')}]`);
    }
    this.answered();
    return this.fake.userPress(this.id, target.message_id, button.callback_data, this.options.from);
  }

  /** A press carrying `data` that the message never offered (a forged or foreign button). */
  pressData(data: string, message = this.lastBotMessage()): Update {
    if (!message) throw new Error(`no bot message in chat ${this.id} to press on`);
    this.answered();
    return this.fake.userPress(this.id, message.message_id, data, this.options.from);
  }

  /** The bot's next `count` messages in this chat (waits for them). */
  async next(count = 1): Promise<Message[]> {
    const wanted = this.read + count;
    await this.fake.waitFor(() => this.botMessages().length >= wanted, this.options.timeoutMs ?? 5_000);
    this.recordLatency();
    const messages = this.botMessages().slice(this.read, wanted);
    this.read = wanted;
    return messages;
  }

  async nextOne(): Promise<Message> {
    const [message] = await this.next(1);
    return message!;
  }

  /** Bot messages not yet returned by next(). */
  unread(): Message[] {
    return this.botMessages().slice(this.read);
  }

  /**
   * Resolves once the bot has finished with `update`: it has fetched past it (getUpdates from a
   * higher offset) and, since updates are handled concurrently, made no call for a moment since.
   */
  async handled(update: Update): Promise<void> {
    await this.fake.waitFor(
      () => this.fake.callsTo('getUpdates').some((c) => Number(c.params.offset ?? 0) > update.update_id),
      this.options.timeoutMs ?? 5_000,
    );
    await untilQuiet(() => this.fake.calls.filter((call) => call.method !== 'getUpdates').length, 300, this.options.timeoutMs ?? 5_000);
  }

  private answered(): void {
    this.answeredAt = performance.now();
  }

  private recordLatency(): void {
    const since = this.answeredAt;
    if (since === null || !this.options.latency) return;
    this.answeredAt = null;
    const first = this.fake.sent(this.id).find((call) => call.at >= since);
    if (first) this.options.latency.add(first.at - since);
  }
}
