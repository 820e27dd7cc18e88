import type { Transformer } from 'grammy';

/**
 * Direct answers to a person are not queued, so a 429 from Telegram (the bot is over its rate
 * limit, e.g. while the outbox sends a broadcast) would lose the answer. This waits out a short
 * `retry_after` and tries again, a bounded number of times. Unlike @grammyjs/auto-retry, whose
 * default waits without limit, a long wait is given up at once: the person is better served by
 * an error now than by an answer in ten minutes, and a handler must not block the update loop.
 */
export interface ShortRetryOptions {
  /** Longest Telegram-requested wait that is honoured, in seconds. */
  maxWaitSeconds?: number;
  /** Retries after the first call. */
  retries?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function retryShortRateLimits(options: ShortRetryOptions = {}): Transformer {
  const maxWait = options.maxWaitSeconds ?? 3;
  const retries = options.retries ?? 2;
  const sleep = options.sleep ?? defaultSleep;
  return async (prev, method, payload, signal) => {
    let result = await prev(method, payload, signal);
    // getUpdates has its own back-off in grammY's polling loop.
    for (let attempt = 0; attempt < retries && method !== 'getUpdates'; attempt++) {
      const wait = !result.ok && result.error_code === 429 ? result.parameters?.retry_after : undefined;
      if (wait === undefined || wait > maxWait) break;
      await sleep(wait * 1000);
      result = await prev(method, payload, signal);
    }
    return result;
  };
}
