import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { DeliveryModel } from '../../src/models/index.js';
import { createOutbox, produceDeliveries } from '../../src/jobs/outbox.js';
import { startOutboxWorkers } from '../../src/jobs/outbox-worker.js';
import { createConsoleSender, type ConsoleMessage } from '../../src/jobs/senders/console.js';
import { createRedis } from '../../src/redis.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';

describe('outbox workers for the console', () => {
  useTestDatabase();
  let redis: Redis;
  beforeAll(() => {
    redis = createRedis(inject('redisUrl'));
  });
  afterAll(() => redis.quit());

  // The Slack sender's outbox round trip is in slack-sender.test.ts.
  it('delivers through the same queue and worker as the platforms', async () => {
    const printed: ConsoleMessage[] = [];
    const prefix = uniquePrefix();
    const outbox = createOutbox({ connection: redis, prefix });
    const workers = startOutboxWorkers({
      connection: redis,
      prefix,
      senders: { console: createConsoleSender((m) => void printed.push(m)) },
      log: createLogger('silent'),
    });
    try {
      await produceDeliveries(outbox, [
        { key: `${prefix}:console`, purpose: 'test', channel: 'console', address: 'demo', text: 'Sveiki, terminālis!', choices: [{ id: 'a', label: 'A' }] },
      ]);
      await expect.poll(() => DeliveryModel.countDocuments({ key: { $regex: `^${prefix}:` }, state: 'sent' }), { timeout: 10_000 }).toBe(1);
      expect(printed).toEqual([{ address: 'demo', text: 'Sveiki, terminālis!', choices: [{ id: 'a', label: 'A' }], messageId: '1' }]);
    } finally {
      await workers.close();
      await outbox.close();
    }
  });
});
