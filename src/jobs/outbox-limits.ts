import type { Redis } from 'ioredis';
import type { Channel } from '../models/shared.js';

/**
 * Platform limits the outbox obeys before the platform has to say 429.
 *
 * - `global`: the queue-wide cap, enforced by BullMQ's limiter (per queue, shared by all workers).
 *   Telegram: "no more than 30 messages per second" to different chats (Bot API FAQ).
 *   Slack: chat.postMessage allows about one message per second per channel with short bursts,
 *   and a workspace allows several hundred per minute; 5/s stays under that.
 * - `spacingMs`: the smallest gap between two sends on the channel, over all workers, taken right
 *   before the send (see {@link takeSlot}). The queue limiter counts jobs when they start, and
 *   lets 30 start together at the top of its window; a read that is slow for one job and fast for
 *   the next then puts 31 sends into some second at the platform, and one 429 stops the whole
 *   queue for a second. 34 ms (29.4/s) spreads the sends evenly under the 30/s line. Measured
 *   against the fake's strict rolling second (bench/outbox.ts): the limiter alone drew 429s for
 *   about a quarter of the sends and reached 72% of 30/s; with the spacing, 0–0.3% and 98%.
 * - `perAddressMs`: the smallest gap between two messages to one chat. Telegram asks for about
 *   one per second in a chat, Slack one per second per channel. BullMQ's open-source edition has
 *   no per-group limiter, so this is a Redis key per chat (see {@link takePace}).
 *
 * `false` switches a limit off (the unlimited benchmark, the console channel).
 */
export interface ChannelLimits {
  global: { max: number; duration: number } | false;
  spacingMs: number | false;
  perAddressMs: number | false;
}

export const DEFAULT_LIMITS: Record<Channel, ChannelLimits> = {
  telegram: { global: { max: 30, duration: 1_000 }, spacingMs: 34, perAddressMs: 1_000 },
  slack: { global: { max: 5, duration: 1_000 }, spacingMs: 200, perAddressMs: 1_000 },
  console: { global: false, spacingMs: false, perAddressMs: false },
};

export const NO_LIMITS: ChannelLimits = { global: false, spacingMs: false, perAddressMs: false };

export function paceKey(prefix: string, channel: Channel, address: string): string {
  return `${prefix}:pace:${channel}:${address}`;
}

/**
 * Claims the chat's next slot: returns 0 when this send may go now (and holds the chat for
 * `gapMs`), or how many milliseconds to wait. `SET NX PX` is atomic, so two workers never both
 * get the same slot.
 */
export async function takePace(redis: Redis, key: string, gapMs: number): Promise<number> {
  const taken = await redis.set(key, '1', 'PX', gapMs, 'NX');
  if (taken === 'OK') return 0;
  const ttl = await redis.pttl(key);
  // The key expired between the two calls: try again almost at once.
  return ttl > 0 ? ttl : 1;
}

/** After a 429 for one chat, hold that chat at least as long as the platform asked. */
export async function holdPace(redis: Redis, key: string, ms: number): Promise<void> {
  await redis.set(key, '1', 'PX', Math.max(1, Math.ceil(ms)));
}

export function slotKey(prefix: string, channel: Channel): string {
  return `${prefix}:slot:${channel}`;
}

// Hands out send times `gap` apart on Redis' clock, so every process shares one schedule.
const TAKE_SLOT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local gap = tonumber(ARGV[1])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0') + gap)
redis.call('SET', KEYS[1], slot, 'PX', slot - now + gap)
return slot - now
`;

/** Reserves the channel's next send time and returns how many milliseconds until it. */
export async function takeSlot(redis: Redis, key: string, gapMs: number): Promise<number> {
  return Number(await redis.eval(TAKE_SLOT, 1, key, gapMs));
}
