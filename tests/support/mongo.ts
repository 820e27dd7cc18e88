import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, inject } from 'vitest';
import { connectMongo } from '../../src/db.js';
import '../../src/models/index.js';

/**
 * A throw-away database of its own for the calling test file, dropped at the end. With
 * `monitorCommands`, the driver emits its command events (`commandStarted`…), for counting tests.
 */
export function useTestDatabase(options: { monitorCommands?: boolean } = {}): { uri: () => string } {
  let uri = '';
  beforeAll(async () => {
    // FerretDB wants lower-case database names that do not start with a digit.
    uri = `${inject('mongoServerUri')}/ogp_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    await connectMongo(uri, { monitorCommands: options.monitorCommands ?? false });
  });
  afterAll(async () => {
    await mongoose.connection.db?.dropDatabase();
    await mongoose.disconnect();
  });
  return { uri: () => uri };
}

export function uniquePrefix(): string {
  return `test-${randomUUID().slice(0, 8)}`;
}
