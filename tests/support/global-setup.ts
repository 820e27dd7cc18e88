import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalServices, type LocalServices } from '../../src/infra/local-services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoServerUri: string;
    redisUrl: string;
  }
}

let services: LocalServices | undefined;
let dataDir: string | undefined;

/** Starts (or finds) the real MongoDB-wire server and Redis once for the whole run. */
export async function setup(project: TestProject) {
  dataDir = mkdtempSync(join(tmpdir(), 'ogp-test-'));
  services = await startLocalServices({
    mongodbUri: process.env.MONGODB_URI || undefined,
    redisUrl: process.env.REDIS_URL || undefined,
    dataDir,
    database: 'unused',
    say: (line) => console.error(line),
  });
  // Test files add their own database name to the server address.
  project.provide('mongoServerUri', services.mongodbUri.replace(/\/[^/?]*(\?.*)?$/, ''));
  project.provide('redisUrl', services.redisUrl);
}

export async function teardown() {
  await services?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
