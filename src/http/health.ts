import mongoose from 'mongoose';
import type { Redis } from 'ioredis';
import { DeliveryModel, DELIVERY_STATES } from '../models/index.js';
import { sendJson, type Route } from './server.js';

/** A health check must answer at once, as the load balancer waits on it. */
const PING_TIMEOUT_MS = 1_000;

/**
 * Whether Redis answers now. Our clients queue commands while disconnected and retry for ever
 * (BullMQ needs that), so a ping to a Redis that is down would wait until it is back: a client
 * that is not `ready` is down, and a ready one gets a second.
 */
async function redisAnswers(redis: Redis): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS)));
  const ping = redis.ping().then(
    (answer) => answer === 'PONG',
    () => false,
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness plus the two stores we cannot work without. */
export function healthRoutes(redis: Redis): Route[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      handler: async (_req, res) => {
        const mongo = mongoose.connection.readyState === 1;
        const redisOk = await redisAnswers(redis);
        sendJson(res, mongo && redisOk ? 200 : 503, { mongo, redis: redisOk });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async (_req, res) => {
        // Counts only; never message bodies or addresses.
        const counts = await Promise.all(DELIVERY_STATES.map((state) => DeliveryModel.countDocuments({ state })));
        sendJson(res, 200, { deliveries: Object.fromEntries(DELIVERY_STATES.map((s, i) => [s, counts[i]])) });
      },
    },
  ];
}
