import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import { createHttpServer, listen } from '../../src/http/server.js';
import { queueBoardRoutes } from '../../src/http/queue-board.js';
import { createOutbox, type Outbox } from '../../src/jobs/outbox.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createRedis } from '../../src/redis.js';
import { uniquePrefix } from '../support/mongo.js';

/** The queue board is off unless configured, and then only for who knows the password. */

let redis: Redis;
let outbox: Outbox;
let server: Server;
let base = '';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

beforeAll(async () => {
  redis = createRedis(inject('redisUrl'));
  outbox = createOutbox({ connection: redis, prefix: uniquePrefix() });
  server = createHttpServer(queueBoardRoutes(Object.values(outbox.queues), { user: 'operator', password: 'correct horse' }), createLogger('silent'));
  base = `http://127.0.0.1:${await listen(server, 0)}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await outbox.close();
  await redis.quit();
});

describe('the queue board', () => {
  it('asks for a password, refuses a wrong one, and shows the outbox queues to the operator', async () => {
    const none = await fetch(`${base}/admin/queues`);
    expect([none.status, none.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="queues", charset="UTF-8"']);
    const wrong = await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization: basic('operator', 'wrong') } });
    expect(wrong.status).toBe(401);

    const page = await fetch(`${base}/admin/queues`, { headers: { authorization: basic('operator', 'correct horse') } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const api = await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization: basic('operator', 'correct horse') } });
    const body = (await api.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['outbox-console', 'outbox-slack', 'outbox-telegram']);
  });

  it('is off unless both settings are given, and half a setting is an error', () => {
    expect(loadConfig({}).queueBoard).toBeNull();
    expect(loadConfig({ QUEUE_BOARD_USER: 'operator', QUEUE_BOARD_PASSWORD: 'pw' }).queueBoard).toEqual({ user: 'operator', password: 'pw' });
    expect(() => loadConfig({ QUEUE_BOARD_USER: 'operator' })).toThrow(/QUEUE_BOARD_PASSWORD/);
  });
});
