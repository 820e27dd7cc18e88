import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest';
import type { GenerationCacheOptions } from '../../src/infra/generation-cache.js';
import { projectRoot } from '../../src/infra/local-services.js';
import { createRedis } from '../../src/redis.js';
import { uniquePrefix } from './mongo.js';

/**
 * What a test of a process cache (plan, people) stands on: the process's cache configured on the
 * real Redis under a prefix of its own for each test, a second Redis connection for an instance
 * that plays another process, a folder for files, and the CLI run as a child process on the same
 * database and prefix (the other process that writes).
 */
export interface CacheTestbed {
  readonly redis: Redis;
  readonly otherRedis: Redis;
  readonly prefix: string;
  readonly dir: string;
  cli(...args: string[]): Promise<{ stdout: string; stderr: string }>;
}

export function useCacheTestbed(cache: {
  topic: string;
  configure(options: GenerationCacheOptions): unknown;
  unconfigure(): void;
  databaseUri: () => string;
}): CacheTestbed {
  let redis: Redis;
  let otherRedis: Redis;
  let prefix = '';
  const dir = mkdtempSync(join(tmpdir(), `ogp-${cache.topic}-cache-`));
  const run = promisify(execFile);

  beforeAll(() => {
    redis = createRedis(inject('redisUrl'));
    otherRedis = createRedis(inject('redisUrl'));
  });
  afterAll(async () => {
    cache.unconfigure();
    await redis.quit();
    await otherRedis.quit();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    prefix = uniquePrefix();
    cache.configure({ redis, prefix });
  });
  afterEach(async () => {
    cache.unconfigure();
    await redis.del(`${prefix}:cache:${cache.topic}`);
  });

  return {
    get redis() {
      return redis;
    },
    get otherRedis() {
      return otherRedis;
    },
    get prefix() {
      return prefix;
    },
    dir,
    cli: (...args) =>
      run(join(projectRoot, 'node_modules/.bin/tsx'), ['src/cli/main.ts', ...args], {
        cwd: projectRoot,
        env: { ...process.env, MONGODB_URI: cache.databaseUri(), REDIS_URL: inject('redisUrl'), QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' },
      }),
  };
}
