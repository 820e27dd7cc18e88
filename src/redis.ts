import { Redis } from 'ioredis';
import type { Logger } from './log.js';
import { logConnectionErrors } from './jobs/connection-errors.js';

/**
 * Every ioredis connection is made here. BullMQ needs `maxRetriesPerRequest: null` on the
 * connections its workers block on; using it everywhere keeps one behaviour.
 */
export function createRedis(url: string, log?: Logger): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
  logConnectionErrors(redis, log, 'redis');
  return redis;
}
