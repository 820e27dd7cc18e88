import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Redis } from 'ioredis';
import { handleInbound, type InboundContext } from '../../src/domain/chat/router.js';
import { createInboundLimiter } from '../../src/inbound-limiter.js';
import { createRedis } from '../../src/redis.js';
import { tBoth } from '../../src/i18n/index.js';
import { ChannelIdentityModel, ContactModel } from '../../src/models/index.js';
import { uniquePrefix, useTestDatabase } from '../support/mongo.js';

useTestDatabase();

/** A flood from one person is answered politely once and then ignored; others are not affected. */

let redis: Redis;
beforeAll(async () => {
  redis = createRedis(inject('redisUrl'));
  for (const [name, id] of [
    ['Anna Kalniņa', '6001'],
    ['Juris Kalns', '6002'],
  ] as const) {
    const contact = await ContactModel.create({ name, email: `${id}.limit@example.lv`, roles: ['forum_member'] });
    await ChannelIdentityModel.create({ contact: contact._id, channel: 'telegram', externalId: id, address: id });
  }
});
afterAll(async () => {
  await redis.quit();
});

let update = 0;
const ctx = (externalId: string): InboundContext => ({ channel: 'telegram', externalId, address: externalId, commandPrefix: '/', dedupeKey: `limit-test:${++update}` });

describe('the per-person inbound limit', () => {
  it('handles up to the limit, answers the first event over it once, and ignores the rest', async () => {
    const limiter = createInboundLimiter(redis, uniquePrefix(), { points: 3, durationSeconds: 60 });
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await handleInbound(ctx('6001'), { type: 'command', name: 'help', args: '' }, { limiter }));
    expect(results.map((r) => r.outcome)).toEqual(['ok', 'ok', 'ok', 'rate_limited', 'rate_limited', 'rate_limited']);
    expect(results[3]?.replies.map((r) => r.text)).toEqual([tBoth('error.too_many')]);
    expect(results.slice(4).flatMap((r) => r.replies)).toEqual([]);

    // Someone else in the same minute is not affected.
    const other = await handleInbound(ctx('6002'), { type: 'command', name: 'help', args: '' }, { limiter });
    expect(other.outcome).toBe('ok');
  });
});
