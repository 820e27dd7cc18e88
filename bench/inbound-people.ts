import { performance } from 'node:perf_hooks';
import type { Update } from 'grammy/types';
import type { FakeTelegram } from '../tests/support/fake-telegram.js';
import type { TelegramUser } from '../tests/support/telegram-user.js';

/**
 * People for bench/inbound.ts: each plays a scripted conversation against the fake Bot API and
 * times every step from the moment its update is available to the bot (queued for getUpdates, or
 * the webhook POST begun) to the moment the bot's next message arrives at the fake.
 */

/** One thing a person does: write, or press a button. Returns the update the fake made of it. */
export interface Step {
  name: string;
  act: (person: TelegramUser) => Update;
}

export interface StepSample {
  step: string;
  /** Infinity when no answer came before the phase's deadline. */
  ms: number;
}

/** The bot's messages to a person: a new one, or an edited one. */
const ANSWERS = new Set(['sendMessage', 'editMessageText']);

/**
 * The fake's calls indexed once as they arrive: arrival times of the bot's messages per chat, of
 * answerCallbackQuery per query id, and the highest getUpdates offset. A waiter per person that
 * scanned `fake.calls` on every call would spend the CPU the bot under test needs.
 */
export class TelegramCallIndex {
  private seen = 0;
  private readonly answersByChat = new Map<number, number[]>();
  readonly queryAnswers = new Map<string, number>();
  private highestOffset = 0;

  constructor(private readonly fake: FakeTelegram) {}

  catchUp(): void {
    const calls = this.fake.calls;
    for (; this.seen < calls.length; this.seen++) {
      const call = calls[this.seen]!;
      if (ANSWERS.has(call.method)) {
        const chat = Number(call.params.chat_id);
        const list = this.answersByChat.get(chat) ?? [];
        this.answersByChat.set(chat, list);
        list.push(call.at);
      } else if (call.method === 'answerCallbackQuery') {
        this.queryAnswers.set(String(call.params.callback_query_id), call.at);
      } else if (call.method === 'getUpdates') {
        this.highestOffset = Math.max(this.highestOffset, Number(call.params.offset ?? 0));
      }
    }
  }

  /** When the first bot message to `chatId` at or after `since` arrived; null if none came within `timeoutMs`. */
  async nextAnswer(chatId: number, since: number, timeoutMs: number): Promise<number | null> {
    const found = () => {
      this.catchUp();
      const at = this.answersByChat.get(chatId)?.find((t) => t >= since);
      return at === undefined ? undefined : { at };
    };
    return this.fake.waitFor(found, Math.max(1, timeoutMs)).then(
      (hit) => hit.at,
      () => null,
    );
  }

  /** Resolves once grammY's polling asked for updates past `updateId`: it has finished with it. */
  async polledPast(updateId: number, timeoutMs: number): Promise<void> {
    await this.fake.waitFor(() => {
      this.catchUp();
      return this.highestOffset > updateId;
    }, timeoutMs);
  }
}

export interface ReportOptions {
  steps: Step[];
  index: TelegramCallIndex;
  /** Hands the update to the bot: nothing for polling (the fake queued it), the webhook POST otherwise. */
  deliver: (update: Update) => Promise<unknown>;
  /** Waits until the bot is done with the step, not only answered; one person at a time only. */
  settle?: (update: Update, delivered: Promise<unknown>) => Promise<unknown>;
  /** Called with the step's name as its update is handed over, and null when it settled. */
  onStep?: (step: string | null) => void;
  thinkMs: number;
  /** performance.now() after which no step starts and no answer is waited for. */
  deadline: number;
  record: (sample: StepSample) => void;
  /** Press times by callback query id, for the answerCallbackQuery delays. */
  presses: Map<string, number>;
}

export type ReportOutcome = 'done' | 'unanswered' | 'cut' | 'lost';

/**
 * One person through every step. 'unanswered': a step got no answer before the deadline; 'cut':
 * the deadline came between steps; 'lost': the bot's answer did not offer what the script presses
 * next (an error message instead of the next question).
 */
export async function runReport(person: TelegramUser, options: ReportOptions): Promise<ReportOutcome> {
  const { steps, index, deadline } = options;
  for (const [i, step] of steps.entries()) {
    if (performance.now() >= deadline) return 'cut';
    if (i > 0 && options.thinkMs > 0) await sleep(Math.min(options.thinkMs, deadline - performance.now()));
    if (performance.now() >= deadline) return 'cut';
    options.onStep?.(step.name);
    const at = performance.now();
    let update: Update;
    try {
      update = step.act(person);
    } catch {
      options.onStep?.(null);
      return 'lost';
    }
    if (update.callback_query) options.presses.set(update.callback_query.id, at);
    const delivered = options.deliver(update);
    // A webhook POST that fails shows as a missing answer; its rejection must not end the run.
    delivered.catch(() => undefined);
    const answeredAt = await index.nextAnswer(person.id, at, deadline - at);
    options.record({ step: step.name, ms: answeredAt === null ? Infinity : answeredAt - at });
    if (answeredAt === null) return 'unanswered';
    if (options.settle) await options.settle(update, delivered).catch(() => undefined);
    options.onStep?.(null);
  }
  return 'done';
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
