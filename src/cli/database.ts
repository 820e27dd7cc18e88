import { join } from 'node:path';
import { loadConfig, type AppConfig } from '../config.js';
import { connectMongo, disconnectMongo } from '../db.js';
import { projectRoot, startLocalServices } from '../infra/local-services.js';
import { configureProcessCaches, unconfigureProcessCaches } from '../domain/process-caches.js';
import { createRedis } from '../redis.js';
import '../models/index.js';

/**
 * Runs `work` with mongoose connected: to MONGODB_URI when set, otherwise to the local server the
 * demo uses (data in <project>/.data). Whatever happens, the connection closes and any server
 * started here stops, also on Ctrl-C, so no FerretDB is left running behind the command. `work`
 * gets the settings, for the defaults they hold (TZ_DEFAULT). The plan cache is configured on the
 * services' Redis and queue prefix, so that what a command writes to the plan data (an import, a
 * round opened or closed) moves the generation the running service checks (plan-cache.ts); so does
 * the people cache, for what a command writes to contacts (an import of the contact list).
 */
export async function withDatabase<T>(work: (config: AppConfig) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const services = await startLocalServices({
    mongodbUri: config.mongodbUri,
    redisUrl: config.redisUrl,
    dataDir: join(projectRoot, '.data'),
    database: 'ogp',
    // stderr, so that an export written to stdout stays clean.
    say: (line) => console.error(line),
  });
  const interrupted = () => {
    void disconnectMongo()
      .catch(() => {})
      .finally(() => services.stop().finally(() => process.exit(130)));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const redis = createRedis(services.redisUrl);
  configureProcessCaches({ redis, prefix: config.queuePrefix });
  try {
    await connectMongo(services.mongodbUri);
    return await work(config);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    unconfigureProcessCaches();
    // quit() still sends a bump that outlived its 250 ms wait; a Redis that does not answer gets a
    // second (that bump was logged as failed), then the connection goes.
    await Promise.race([redis.quit().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    redis.disconnect();
    await disconnectMongo();
    await services.stop();
  }
}
