import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { AppConfig } from './config.js';
import type { Logger } from './log.js';
import { connectMongo, disconnectMongo } from './db.js';
import { projectRoot, startLocalServices, type LocalServices } from './infra/local-services.js';
import { createRedis } from './redis.js';
import { createOutbox, produceDeliveries, type Outbox } from './jobs/outbox.js';
import { createBroadcastQueue, type BroadcastQueue } from './jobs/broadcast-queue.js';
import { createInboundLimiter } from './inbound-limiter.js';
import { configureProcessCaches, unconfigureProcessCaches } from './domain/process-caches.js';
import type { InboundLimiter } from './domain/chat/inbound-limit.js';
import type { OutboundMessage } from './domain/outbound-message.js';
import './models/index.js';

/**
 * What every process (service roles, demo) needs first: the stores, connected, and the outbox.
 * The service and the demo start it the same way; only the database name differs.
 */
export interface Runtime {
  services: LocalServices;
  redis: Redis;
  outbox: Outbox;
  /** Starts broadcasts (any role may confirm one: the chat, the CLI). */
  broadcasts: BroadcastQueue;
  /** The per-person inbound limit the web role applies. */
  limiter: InboundLimiter;
  produce: (messages: OutboundMessage[]) => Promise<unknown>;
  close(): Promise<void>;
}

export async function startRuntime(config: AppConfig, options: { database: string; say?: (line: string) => void; log?: Logger }): Promise<Runtime> {
  const services = await startLocalServices({
    mongodbUri: config.mongodbUri,
    redisUrl: config.redisUrl,
    dataDir: join(projectRoot, '.data'),
    database: options.database,
    say: options.say,
  });
  try {
    await connectMongo(services.mongodbUri);
  } catch (error) {
    await services.stop();
    throw error;
  }
  const redis = createRedis(services.redisUrl, options.log);
  const outbox = createOutbox({ connection: redis, prefix: config.queuePrefix, log: options.log });
  const broadcasts = createBroadcastQueue({ connection: redis, prefix: config.queuePrefix, outbox, log: options.log });
  // Plan data and who is writing, held in the process and checked against the generations that
  // every process's writes move (every role writes some of them, so every role turns them on).
  configureProcessCaches({ redis, prefix: config.queuePrefix, log: options.log });
  return {
    services,
    redis,
    outbox,
    broadcasts,
    limiter: createInboundLimiter(redis, config.queuePrefix),
    produce: (messages) => produceDeliveries(outbox, messages),
    async close() {
      unconfigureProcessCaches();
      await broadcasts.close();
      await outbox.close();
      redis.disconnect();
      await disconnectMongo();
      await services.stop();
    },
  };
}
