import { randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import { onWritten, type WriteTopic } from '../models/announced-writes.js';

/**
 * Data that rarely changes, held in the process and correct across processes (several web
 * processes, a worker, the CLI importing elsewhere): a generation counter in Redis,
 * `<prefix>:cache:<topic>`, goes up after every write to the topic's models (their schemas' post
 * hooks, models/announced-writes.ts, call {@link GenerationCache.written}); every use GETs it and
 * drops what is held when it moved. A write also drops this process's copy at once, before the INCR
 * goes out. The plan cache (domain/plan/plan-cache.ts) and the people cache
 * (domain/chat/people-cache.ts) are the two uses.
 *
 * A value is read only after the GET that it is filed under, and every write's INCR comes after the
 * write: so a value read before a write is filed under a generation that the write moves past.
 */

/** What the cache logs through: pino's Logger fits. */
export interface CacheLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface GenerationCacheOptions {
  redis: Redis;
  /** The queue prefix: processes of one deployment share it, and so the counter. */
  prefix: string;
  /** The process's logger (pino); without one, console.error. */
  log?: CacheLog;
  /**
   * Longest wait for Redis before reading the database instead (default 250 ms). The runtime's
   * client queues commands while disconnected (BullMQ wants `maxRetriesPerRequest: null`), so
   * without a limit a Redis outage would hold a person's step, or a plan import, indefinitely.
   */
  redisWaitMs?: number;
}

export class GenerationCache<V> {
  readonly key: string;
  /** What this generation holds, by the caller's key. */
  private held: { generation: string; values: Map<string, V> } | null = null;
  /** Reads in flight, by key, which callers of the same generation share. */
  private loading = new Map<string, { generation: string; value: Promise<V> }>();
  /** Counts this process's writes, so that a read begun before one is never kept. */
  private writes = 0;
  /** True from a failed Redis call until one succeeds: the failure is logged once, not per use. */
  private failing = false;

  constructor(
    readonly topic: WriteTopic,
    private readonly options: GenerationCacheOptions,
  ) {
    this.key = `${options.prefix}:cache:${topic}`;
  }

  /**
   * The value under `id`: held when the generation has not moved since it was read, else `read`
   * (and held if `keep` says so: the people cache does not hold strangers). Without Redis, read.
   */
  async get(id: string, read: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    let generation: string;
    try {
      generation = await this.generation();
      this.failing = false;
    } catch (error) {
      this.failed('warn', error, `the ${this.topic} cache could not read its generation from Redis; reading from the database until it can`);
      return read();
    }
    if (this.held?.generation !== generation) this.held = { generation, values: new Map() };
    const held = this.held;
    if (held.values.has(id)) return held.values.get(id) as V;
    const inFlight = this.loading.get(id);
    if (inFlight?.generation === generation) return inFlight.value;
    const writes = this.writes;
    const value = read();
    const loading = { generation, value };
    this.loading.set(id, loading);
    try {
      const result = await value;
      if (this.writes === writes && this.held === held && keep(result)) held.values.set(id, result);
      return result;
    } finally {
      if (this.loading.get(id) === loading) this.loading.delete(id);
    }
  }

  /** After a write: forget this process's copy at once, then move the generation for the others. Never throws. */
  async written(): Promise<void> {
    this.writes += 1;
    this.held = null;
    this.loading.clear();
    try {
      const generation = await this.withinWait(this.options.redis.incr(this.key));
      // 1: the key was gone (Redis lost it, or a first write), so the count restarted from zero and
      // could come back to a value some process still holds; jump to a random point instead.
      if (generation === 1) await this.withinWait(this.options.redis.incrby(this.key, randomInt(1, 2 ** 47)));
      this.failing = false;
    } catch (error) {
      // The write itself is done and stays done; other processes keep their copy until the next
      // write moves the counter. The INCR stays queued in ioredis and goes out once Redis is back.
      this.failed('error', error, `the ${this.topic} cache could not tell other processes of a write (Redis INCR failed); they show the old data until the next write`);
    }
  }

  /** The counter; a missing key (first use, or Redis lost it) starts at a random point, as in written(). */
  private async generation(): Promise<string> {
    const redis = this.options.redis;
    const value = await this.withinWait(redis.get(this.key));
    if (value !== null) return value;
    await this.withinWait(redis.set(this.key, String(randomInt(1, 2 ** 47)), 'NX'));
    const started = await this.withinWait(redis.get(this.key));
    if (started === null) throw new Error(`${this.key} vanished right after it was set`);
    return started;
  }

  private async withinWait<T>(command: Promise<T>): Promise<T> {
    const ms = this.options.redisWaitMs ?? 250;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
      timer.unref();
    });
    try {
      return await Promise.race([command, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private failed(level: 'warn' | 'error', error: unknown, message: string): void {
    if (this.failing && level === 'warn') return;
    this.failing = true;
    const log = this.options.log;
    if (log) log[level]({ err: error, key: this.key }, message);
    else console.error(`${message}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The process's one cache of a topic, and the topic's write hooks wired to it. `configure` turns it
 * on (runtime start, each CLI command; again replaces it, with nothing held), `unconfigure` off (at
 * close, before the Redis client goes). Off, nothing is held, `current` is null and the write hooks
 * do nothing.
 */
export interface CacheSlot<C> {
  readonly current: C | null;
  configure(options: GenerationCacheOptions): C;
  unconfigure(): void;
}

export function cacheSlot<C extends { written(): Promise<void> }>(topic: WriteTopic, create: (options: GenerationCacheOptions) => C): CacheSlot<C> {
  let current: C | null = null;
  onWritten(topic, async () => {
    await current?.written();
  });
  return {
    get current() {
      return current;
    },
    configure(options) {
      current = create(options);
      return current;
    },
    unconfigure() {
      current = null;
    },
  };
}
