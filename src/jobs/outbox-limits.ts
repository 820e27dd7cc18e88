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
 *   before the send (see {@link waitForSlot}). The queue limiter counts jobs when they start, and
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

/** The channel's shared send schedule (a Redis hash): last slot handed out, hold after a 429, widening. */
export function scheduleKey(prefix: string, channel: Channel): string {
  return `${prefix}:schedule:${channel}`;
}

/**
 * How the spacing reacts to a 429. Network jitter lets sends handed out `spacingMs` apart arrive
 * closer together, so a platform counting a strict rolling second sees 31 in some second (with
 * 50–250 ms of jitter, 3% of sends drew a 429 at 34 ms). Each hold widens the spacing by `stepMs`,
 * up to `maxExtraMs`, and a quiet `relaxMs` returns it to the configured spacing: a jitter-free
 * network keeps the full rate, a jittery one settles a few milliseconds wider.
 */
export const SPACING_ADAPT = { stepMs: 2, maxExtraMs: 30, relaxMs: 30_000 } as const;

// Hands out send times on Redis' clock, so every process shares one schedule. ARGV: the spacing,
// the slot this caller already holds (0 for none). A held slot stays good unless a 429 put a hold
// over it since; then the caller gets a new one after the hold, in line with everyone else.
const TAKE_SLOT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local f = redis.call('HMGET', KEYS[1], 'last', 'hold', 'extra', 'relaxAt')
local last, hold = tonumber(f[1] or '0'), tonumber(f[2] or '0')
local extra = 0
if tonumber(f[4] or '0') > now then extra = tonumber(f[3] or '0') end
local held = tonumber(ARGV[2])
if held > 0 and held >= hold then return {held - now, held} end
local slot = math.max(now, last + tonumber(ARGV[1]) + extra, hold)
redis.call('HSET', KEYS[1], 'last', slot)
redis.call('PEXPIRE', KEYS[1], slot - now + ${SPACING_ADAPT.relaxMs})
return {slot - now, slot}
`;

// After a 429: nobody's slot falls inside the wait, and (once per hold) the spacing widens.
const HOLD = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local f = redis.call('HMGET', KEYS[1], 'hold', 'extra', 'relaxAt')
local hold = tonumber(f[1] or '0')
if now >= hold then
  local extra = 0
  if tonumber(f[3] or '0') > now then extra = tonumber(f[2] or '0') end
  extra = math.min(extra + tonumber(ARGV[2]), tonumber(ARGV[3]))
  redis.call('HSET', KEYS[1], 'extra', extra, 'relaxAt', now + tonumber(ARGV[4]))
end
local untilAt = math.max(hold, now + tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'hold', untilAt)
redis.call('PEXPIRE', KEYS[1], untilAt - now + tonumber(ARGV[4]))
return untilAt - now
`;

/**
 * Waits for the channel's next send time, `gapMs` (plus any widening) after the one before. A 429
 * seen meanwhile by any worker moves a slot that falls inside its wait to the end of the line, so
 * after the wait the channel resumes at the limit instead of in a burst of the slots taken before.
 */
export async function waitForSlot(redis: Redis, key: string, gapMs: number): Promise<void> {
  let held = 0;
  for (;;) {
    const [waitMs, slot] = (await redis.eval(TAKE_SLOT, 1, key, gapMs, held)) as [number, number];
    if (waitMs <= 0) return;
    held = slot;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/** After a 429 on the channel: no slot inside the next `waitMs`, and the spacing a little wider. */
export async function holdSchedule(redis: Redis, key: string, waitMs: number): Promise<void> {
  await redis.eval(HOLD, 1, key, Math.ceil(waitMs), SPACING_ADAPT.stepMs, SPACING_ADAPT.maxExtraMs, SPACING_ADAPT.relaxMs);
}
