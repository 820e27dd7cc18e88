import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import { Api } from 'grammy';
import type { Redis } from 'ioredis';
import type { FakeTelegram, TelegramCall } from '../tests/support/fake-telegram.js';

/** What every benchmark prints with and waits by. */

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const verdict = (ok: boolean) => (ok ? 'goal met' : 'goal NOT met');
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` holds; false when the cap ran out first. */
export async function waitUntil(check: () => Promise<boolean> | boolean, capMs: number, pollMs = 20): Promise<boolean> {
  const until = Date.now() + capMs;
  while (!(await check())) {
    if (Date.now() > until) return false;
    await sleep(pollMs);
  }
  return true;
}

/** Calls per second over the span of `calls` (n calls span n-1 intervals). */
export const rateOf = (calls: TelegramCall[]) => (calls.length < 2 ? 0 : (calls.length - 1) / ((calls.at(-1)!.at - calls[0]!.at) / 1000));

export interface BareRunResult {
  /** Jobs queued per second (addBulk in slices of 1,000). */
  addRate: number;
  sendRate: number;
  sends: number;
  tooMany: number;
}

/**
 * The ceiling our outbox is measured against: BullMQ and grammY's Api alone, in this process, on
 * the same fake; jobs carry the chat and the text, with no MongoDB, no keys and no marks.
 * `limited`: the fake enforces 30/s and 1/s per chat and BullMQ's limiter is at 30/s.
 */
export async function bareBullmqGrammy(
  redis: Redis,
  fake: FakeTelegram,
  options: { count: number; limited: boolean; capMs: number; concurrency: number; text: string },
): Promise<BareRunResult> {
  const prefix = `bench-bare-${randomUUID().slice(0, 8)}`;
  const name = 'bare';
  const queue = new Queue(name, { connection: redis, prefix });
  const firstChat = 5_000_000;
  fake.calls.length = 0;
  fake.chats.clear();
  fake.limits = options.limited ? { perSecond: 30, perChatMs: 1_000 } : false;
  const t = performance.now();
  for (let at = 0; at < options.count; at += 1_000) {
    const n = Math.min(1_000, options.count - at);
    await queue.addBulk(
      Array.from({ length: n }, (_, i) => ({
        name,
        data: { chat: firstChat + at + i, text: options.text },
        opts: { attempts: 5, backoff: { type: 'fixed', delay: 1_000 }, removeOnComplete: true },
      })),
    );
  }
  const addRate = options.count / ((performance.now() - t) / 1000);
  const api = new Api(fake.token, { apiRoot: fake.apiRoot });
  const worker = new Worker(name, async (job) => void (await api.sendMessage(job.data.chat as number, job.data.text as string)), {
    connection: redis,
    prefix,
    concurrency: options.concurrency,
    ...(options.limited ? { limiter: { max: 30, duration: 1_000 } } : {}),
  });
  const sent = () => fake.calls.filter((c) => c.method === 'sendMessage' && c.status === 200);
  await waitUntil(() => sent().length >= options.count, options.capMs, 50);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return { addRate, sendRate: rateOf(sent()), tooMany: fake.calls.filter((c) => c.status === 429).length, sends: sent().length };
}
