import type { GenerationCacheOptions } from '../infra/generation-cache.js';
import { configurePeopleCache, unconfigurePeopleCache } from './chat/people-cache.js';
import { configurePlanCache, unconfigurePlanCache } from './plan/plan-cache.js';

/**
 * Every cache a process holds, turned on and off together: the plan data (plan-cache.ts) and who
 * is writing (people-cache.ts). Every process that reads or writes them turns them on (each service
 * role, the demo, each CLI command), so its writes move the generations the others check.
 */
export function configureProcessCaches(options: GenerationCacheOptions): void {
  configurePlanCache(options);
  configurePeopleCache(options);
}

/** Back to reading through (at close, before the Redis client goes). */
export function unconfigureProcessCaches(): void {
  unconfigurePlanCache();
  unconfigurePeopleCache();
}
