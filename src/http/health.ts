import mongoose from 'mongoose';
import type { Redis } from 'ioredis';
import { metrics } from '../metrics.js';
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

/**
 * `/healthz`: the process is alive (a supervisor restarts it when this fails). `/readyz`: it can do
 * its work: MongoDB and Redis answer and the channels started (a load balancer sends traffic only
 * then). `/metrics`: Prometheus text (metrics.ts).
 */
export function healthRoutes(redis: Redis, options: { ready?: () => boolean } = {}): Route[] {
  return [
    { method: 'GET', path: '/healthz', handler: (_req, res) => sendJson(res, 200, { alive: true }) },
    {
      method: 'GET',
      path: '/readyz',
      handler: async (_req, res) => {
        const mongo = mongoose.connection.readyState === 1;
        const redisOk = await redisAnswers(redis);
        const channels = options.ready?.() ?? true;
        sendJson(res, mongo && redisOk && channels ? 200 : 503, { mongo, redis: redisOk, channels });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handler: async (_req, res) => {
        res.writeHead(200, { 'content-type': metrics.contentType }).end(await metrics.metrics());
      },
    },
  ];
}
