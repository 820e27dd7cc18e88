import { cacheSlot, GenerationCache, type GenerationCacheOptions } from '../../infra/generation-cache.js';
import { MeasureModel, ReportingRoundModel } from '../../models/index.js';

/**
 * The plan data every step of a conversation reads, held in the process: all measures with what
 * the flows show of them, and the open reporting rounds. Before, each step read the person's
 * measures and their plans' open rounds; on FerretDB 1.24/SQLite any filter but exactly `{_id: x}`
 * reads the whole collection, and `npm run bench:inbound` measured those two finds at 6–9 ms and
 * 1.5–2.5 ms of a ~30 ms step. Read whole, once, they cost the same as one person's read did, and
 * then nothing until the data changes.
 *
 * Correct across processes (several web processes; the CLI importing a plan elsewhere) through
 * the generation counter of infra/generation-cache.ts, `<prefix>:cache:plan`, which every write
 * to plans, commitments, measures and reporting rounds moves (their schemas announce the writes
 * under the topic `plan`, models/announced-writes.ts); every use GETs it and reloads when it moved.
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
  // No current status: every report writes it (status-report-writer.ts, without announcing the
  // write), and holding it here would make each report drop every process's copy of the plan.
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
    MeasureModel.find({}, { plan: 1, code: 1, order: 1, title: 1 }).sort({ plan: 1, order: 1 }).lean(),
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

export type PlanCacheOptions = GenerationCacheOptions;

/** One key: the plan data is held whole. */
const ALL = 'all';

export class PlanCache {
  private readonly cache: GenerationCache<PlanData>;

  constructor(options: PlanCacheOptions) {
    this.cache = new GenerationCache('plan', options);
  }

  get key(): string {
    return this.cache.key;
  }

  get(): Promise<PlanData> {
    return this.cache.get(ALL, readPlanData);
  }

  /** After a write: forget this process's copy at once, then move the generation for the others. Never throws. */
  written(): Promise<void> {
    return this.cache.written();
  }
}

const slot = cacheSlot('plan', (options) => new PlanCache(options));

/**
 * Turns the process's cache on (runtime start, each CLI command): from now on plan data is held
 * and checked against the generation in Redis under `prefix`. Configuring again replaces it, with
 * nothing held.
 */
export function configurePlanCache(options: PlanCacheOptions): PlanCache {
  return slot.configure(options);
}

/** Turns it off again (at close, before the Redis client goes): back to reading through. */
export function unconfigurePlanCache(): void {
  slot.unconfigure();
}

/** The plan data, from the process's cache when one is configured, else read from the database. */
export function planData(): Promise<PlanData> {
  return slot.current ? slot.current.get() : readPlanData();
}
