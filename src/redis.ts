import { Redis } from 'ioredis';

/**
 * Every ioredis connection is made here. BullMQ needs `maxRetriesPerRequest: null` on the
 * connections its workers block on; using it everywhere keeps one behaviour.
 */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}
