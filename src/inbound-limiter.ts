import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { InboundLimiter } from './domain/chat/inbound-limit.js';

/**
 * The per-person inbound limit, shared by every web process through Redis (rate-limiter-flexible).
 * 30 events a minute is far more than a person types or taps (a whole status report is under ten),
 * and far less than a script.
 */
export const INBOUND_EVENTS_PER_MINUTE = 30;

export function createInboundLimiter(redis: Redis, prefix: string, options: { points?: number; durationSeconds?: number } = {}): InboundLimiter {
  const points = options.points ?? INBOUND_EVENTS_PER_MINUTE;
  const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:inbound-limit`, points, duration: options.durationSeconds ?? 60 });
  return {
    async take(personKey) {
      try {
        await limiter.consume(personKey);
        return 'ok';
      } catch (error) {
        // A Redis that does not answer must not silence everyone: let the event through.
        if (!(error instanceof RateLimiterRes)) return 'ok';
        return error.consumedPoints === points + 1 ? 'refuse' : 'ignore';
      }
    },
  };
}
