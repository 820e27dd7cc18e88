import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest';
import { createLogger } from '../../src/log.js';
import { DeliveryModel, type Channel } from '../../src/models/index.js';
import type { OutgoingMessage, Sender } from '../../src/domain/chat/channel.js';
import { createOutbox, type Outbox, type OutboxOptions } from '../../src/jobs/outbox.js';
import { startOutboxWorkers, type OutboxWorkers, type OutboxWorkersOptions } from '../../src/jobs/outbox-worker.js';
import { createRedis } from '../../src/redis.js';
import { uniquePrefix } from './mongo.js';

/**
 * The outbox of a test file against the real Redis: one connection for the file, and for every
 * test its own queue prefix, a fresh outbox and, when the test starts them, workers; after the
 * test the workers stop and the queues are emptied and closed, so nothing carries over.
 */
export interface OutboxTestbed {
  readonly redis: Redis;
  /** This test's queue prefix; also unique enough to tell this test's keys apart. */
  readonly prefix: string;
  readonly outbox: Outbox;
  /** Replaces this test's outbox by one with other job options (the old one is closed). */
  reopen(jobOptions: OutboxOptions['jobOptions']): Promise<Outbox>;
  /** Starts workers on this test's prefix (silent unless given a log); they stop after the test. */
  startWorkers(options: Omit<OutboxWorkersOptions, 'connection' | 'prefix' | 'log'> & Partial<Pick<OutboxWorkersOptions, 'log'>>): OutboxWorkers;
  /** Stops the workers started in this test, so that others can take over. */
  stopWorkers(): Promise<void>;
}

export function useOutboxTestbed(options: { jobOptions?: OutboxOptions['jobOptions'] } = {}): OutboxTestbed {
  let redis: Redis | undefined;
  let prefix = '';
  let outbox: Outbox | undefined;
  let workers: OutboxWorkers | undefined;
  const open = (jobOptions = options.jobOptions) => createOutbox({ connection: redis!, prefix, ...(jobOptions ? { jobOptions } : {}) });

  beforeAll(() => {
    redis = createRedis(inject('redisUrl'));
  });
  afterAll(async () => {
    await redis?.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix();
    outbox = open();
  });
  afterEach(async () => {
    await workers?.close();
    workers = undefined;
    await Promise.all(Object.values(outbox!.queues).map((queue) => queue.obliterate({ force: true })));
    await outbox?.close();
  });

  return {
    get redis() {
      return redis!;
    },
    get prefix() {
      return prefix;
    },
    get outbox() {
      return outbox!;
    },
    async reopen(jobOptions) {
      await outbox?.close();
      outbox = open(jobOptions);
      return outbox;
    },
    startWorkers(workerOptions) {
      if (workers) throw new Error('workers are running already: stopWorkers() first');
      workers = startOutboxWorkers({ log: createLogger('silent'), ...workerOptions, connection: redis!, prefix });
      return workers;
    },
    async stopWorkers() {
      await workers?.close();
      workers = undefined;
    },
  };
}

/** The delivery under `key` once the worker is done with it (no longer `pending`). */
export async function settled(key: string, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const delivery = await DeliveryModel.findOne({ key }).lean();
    if (delivery && delivery.state !== 'pending') return delivery;
    if (Date.now() > until) throw new Error(`delivery ${key} still ${delivery?.state ?? 'missing'} after ${timeoutMs} ms`);
    await sleep(30);
  }
}

/** Resolves once `check` holds, polling every 10 ms. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not reached within ${timeoutMs} ms`);
    await sleep(10);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A sender that records the address of each send, in the order the worker made them. */
export class RecordingSender implements Sender {
  readonly order: string[] = [];
  constructor(readonly channel: Channel = 'telegram') {}
  async send({ address }: OutgoingMessage) {
    this.order.push(address);
    return { messageId: String(this.order.length) };
  }
}
