import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { connectMongo } from '../src/db.js';
import { startLocalServices } from '../src/infra/local-services.js';
import { createRedis } from '../src/redis.js';
import { FakeTelegram } from '../tests/support/fake-telegram.js';

/**
 * What every benchmark runs against, as the tests do: FerretDB (or MONGODB_URI) with a database
 * of its own, Redis (or REDIS_URL) under a prefix of its own, and the fake Telegram Bot API.
 * `close` drops the database, removes the benchmark's Redis keys and stops what it started.
 */
export interface BenchStores {
  redis: Redis;
  fake: FakeTelegram;
  /** The BullMQ prefix of this run. */
  prefix: string;
  close(otherKeyPatterns?: string[]): Promise<void>;
}

/** `monitorCommands`: the driver reports every command (bench:inbound counts them per step). */
export async function openBenchStores(name: string, options: { monitorCommands?: boolean } = {}): Promise<BenchStores> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ogp-bench-'));
  const services = await startLocalServices({
    mongodbUri: process.env.MONGODB_URI || undefined,
    redisUrl: process.env.REDIS_URL || undefined,
    dataDir,
    database: `bench_${name}_${randomUUID().slice(0, 8)}`,
    say: (line) => console.log(line),
  });
  const redis = createRedis(services.redisUrl);
  const fake = await new FakeTelegram().start();
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  console.log(services.describe.join('\n'));
  await connectMongo(services.mongodbUri, { monitorCommands: options.monitorCommands });
  return {
    redis,
    fake,
    prefix,
    async close(otherKeyPatterns = []) {
      await mongoose.connection.db?.dropDatabase().catch(() => undefined);
      await mongoose.disconnect();
      for (const pattern of [`${prefix}:*`, ...otherKeyPatterns]) {
        const leftovers = await redis.keys(pattern);
        if (leftovers.length > 0) await redis.del(...leftovers);
      }
      await redis.quit();
      await fake.stop();
      await services.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
