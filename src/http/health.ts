import mongoose from 'mongoose';
import type { Redis } from 'ioredis';
import { DeliveryModel, DELIVERY_STATES } from '../models/index.js';
import { sendJson, type Route } from './server.js';

/** Liveness plus the two stores we cannot work without. */
export function healthRoutes(redis: Redis): Route[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      handler: async (_req, res) => {
        const mongo = mongoose.connection.readyState === 1;
        const redisOk = await redis.ping().then(
          (answer) => answer === 'PONG',
          () => false,
        );
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
