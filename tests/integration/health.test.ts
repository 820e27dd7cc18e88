import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Server } from 'node:http';
import { createHttpServer, listen } from '../../src/http/server.js';
import { healthRoutes } from '../../src/http/health.js';
import { createLogger } from '../../src/log.js';
import { createRedis } from '../../src/redis.js';
import { useTestDatabase } from '../support/mongo.js';

useTestDatabase();

/**
 * /readyz answers at once, also while Redis is down: our clients queue commands and retry for
 * ever while disconnected, so a plain ping would wait until Redis is back.
 */

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

async function healthOf(redisUrl: string) {
  const redis = createRedis(redisUrl);
  const server = createHttpServer(healthRoutes(redis), createLogger('silent'));
  servers.push(server);
  const port = await listen(server, 0);
  // Until the client has connected, or has failed to and is trying again.
  for (let waited = 0; !['ready', 'reconnecting'].includes(redis.status) && waited < 5_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // A check that waits for Redis to come back never answers: the abort turns that into a failure.
  const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5_000) });
  const result = { status: response.status, body: await response.json() };
  redis.disconnect();
  return result;
}

describe('/readyz', () => {
  let up: Awaited<ReturnType<typeof healthOf>>;
  beforeAll(async () => {
    up = await healthOf(inject('redisUrl'));
  });

  it('answers 200 when MongoDB and Redis answer', () => {
    expect([up.status, up.body]).toEqual([200, { mongo: true, redis: true, channels: true }]);
  });

  it('answers 503 at once while Redis is down, instead of waiting for it', async () => {
    // Nothing listens on port 1: the client keeps reconnecting, as it would during an outage.
    const down = await healthOf('redis://127.0.0.1:1');
    expect([down.status, down.body]).toEqual([503, { mongo: true, redis: false, channels: true }]);
  });
});
