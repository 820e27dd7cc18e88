import { randomInt } from 'node:crypto';
import type { Redis } from 'ioredis';
import { MeasureModel, ReportingRoundModel } from '../../models/index.js';
import { onPlanDataWritten } from '../../models/plan-data-writes.js';

/**
 * The plan data every step of a conversation reads, held in the process: all measures with what
 * the flows show of them, and the open reporting rounds. Before, each step read the person's
 * measures and their plans' open rounds; on FerretDB 1.24/SQLite any filter but exactly `{_id: x}`
 * reads the whole collection, and `npm run bench:inbound` measured those two finds at 6–9 ms and
 * 1.5–2.5 ms of a ~30 ms step. Read whole, once, they cost the same as one person's read did, and
 * then nothing until the data changes.
 *
 * Correct across processes (several web processes; the CLI importing a plan elsewhere): a
 * generation counter in Redis, `<prefix>:cache:plan`, goes up after every write to plans,
 * commitments, measures and reporting rounds (the schemas' post hooks, models/plan-data-writes.ts,
 * call {@link PlanCache.written}); every use GETs it and reloads when it moved. A write also drops
 * this process's copy at once, before the INCR goes out.
 *
 * Not configured (unit tests without Redis, scripts): nothing is held, every use reads the
 * database, and the write hooks do nothing.
 */

export interface PlanMeasure {
  id: string;
  planId: string;
  code: string;
  /** Sort key within the plan (3.10 after 3.9). */
  order: number;
  title: { lv: string; en: string };
  currentStatus: { status: string; note: string; asOf: Date; source: string } | null;
}

export interface OpenRound {
  id: string;
  planId: string;
  key: string;
  title: { lv: string; en: string };
  deadline: Date;
  timeZone: string;
}

export interface PlanData {
  /** Every measure by id, in plan order (by plan, then order), as the flows list them. */
  measures: ReadonlyMap<string, PlanMeasure>;
  /** The open rounds, earliest deadline first. */
  openRounds: readonly OpenRound[];
}

/** One read of each collection, whole: the same scan FerretDB made for one person before. */
export async function readPlanData(): Promise<PlanData> {
  const [measures, rounds] = await Promise.all([
    MeasureModel.find({}, { plan: 1, code: 1, order: 1, title: 1, currentStatus: 1 }).sort({ plan: 1, order: 1 }).lean(),
    ReportingRoundModel.find({ state: 'open' }, { plan: 1, key: 1, title: 1, deadline: 1, timeZone: 1 }).sort({ deadline: 1 }).lean(),
  ]);
  return {
    measures: new Map(
      measures.map((m) => [
        String(m._id),
        {
          id: String(m._id),
          planId: String(m.plan),
          code: m.code,
          order: m.order,
          title: { lv: m.title.lv, en: m.title.en ?? '' },
          currentStatus: m.currentStatus
            ? { status: m.currentStatus.status, note: m.currentStatus.note ?? '', asOf: m.currentStatus.asOf, source: m.currentStatus.source }
            : null,
        },
      ]),
    ),
    openRounds: rounds.map((r) => ({
      id: String(r._id),
      planId: String(r.plan),
      key: r.key,
      title: { lv: r.title.lv, en: r.title.en ?? '' },
      deadline: r.deadline,
      timeZone: r.timeZone,
    })),
  };
}

/** What the cache logs through: pino's Logger fits. */
export interface CacheLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface PlanCacheOptions {
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

export class PlanCache {
  readonly key: string;
  private held: { generation: string; data: PlanData } | null = null;
  /** A read in flight for a generation, which callers of the same generation share. */
  private loading: { generation: string; data: Promise<PlanData> } | null = null;
  /** Counts this process's writes, so that a read begun before one is never kept. */
  private writes = 0;
  /** True from a failed Redis call until one succeeds: the failure is logged once, not per step. */
  private failing = false;

  constructor(private readonly options: PlanCacheOptions) {
    this.key = `${options.prefix}:cache:plan`;
  }

  async get(): Promise<PlanData> {
    let generation: string;
    try {
      generation = await this.generation();
      this.failing = false;
    } catch (error) {
      this.failed('warn', error, 'the plan cache could not read its generation from Redis; reading plan data from the database until it can');
      return readPlanData();
    }
    if (this.held?.generation === generation) return this.held.data;
    if (this.loading?.generation === generation) return this.loading.data;
    const writes = this.writes;
    const data = readPlanData();
    const loading = { generation, data };
    this.loading = loading;
    try {
      const read = await data;
      if (this.writes === writes) this.held = { generation, data: read };
      return read;
    } finally {
      if (this.loading === loading) this.loading = null;
    }
  }

  /** After a write: forget this process's copy at once, then move the generation for the others. Never throws. */
  async written(): Promise<void> {
    this.writes += 1;
    this.held = null;
    this.loading = null;
    try {
      const generation = await this.withinWait(this.options.redis.incr(this.key));
      // 1: the key was gone (Redis lost it, or a first write), so the count restarted from zero and
      // could come back to a value some process still holds; jump to a random point instead.
      if (generation === 1) await this.withinWait(this.options.redis.incrby(this.key, randomInt(1, 2 ** 47)));
      this.failing = false;
    } catch (error) {
      // The write itself is done and stays done; other processes keep their copy until the next
      // write moves the counter. The INCR stays queued in ioredis and goes out once Redis is back.
      this.failed('error', error, 'the plan cache could not tell other processes of a write to the plan data (Redis INCR failed); they show the old data until the next write');
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

let current: PlanCache | null = null;
onPlanDataWritten(async () => {
  await current?.written();
});

/**
 * Turns the process's cache on (runtime start, each CLI command): from now on plan data is held
 * and checked against the generation in Redis under `prefix`. Configuring again replaces it, with
 * nothing held.
 */
export function configurePlanCache(options: PlanCacheOptions): PlanCache {
  current = new PlanCache(options);
  return current;
}

/** Turns it off again (at close, before the Redis client goes): back to reading through. */
export function unconfigurePlanCache(): void {
  current = null;
}

/** The plan data, from the process's cache when one is configured, else read from the database. */
export function planData(): Promise<PlanData> {
  return current ? current.get() : readPlanData();
}
