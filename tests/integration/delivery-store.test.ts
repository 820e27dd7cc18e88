import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryModel } from '../../src/models/index.js';
import { createDeliveryStore } from '../../src/jobs/delivery-store.js';
import { sleep } from '../support/outbox.js';
import { startOwnMongoServer, type OwnServer } from '../support/own-services.js';

/**
 * The worker's marks against a database that is down for longer than their short retries last.
 * A server of this file's own, stopped and started again; the file runs in a process of its own,
 * so its mongoose connection touches no other file's.
 */

let dataDir = '';
let server: OwnServer;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ogp-store-'));
  server = await startOwnMongoServer(dataDir);
  // Each try waits for the server at most 0.5 s instead of the service's 10 s (db.ts), so that the
  // short retries run out within seconds here rather than after about a minute. No index builds in
  // the background, as in db.ts: the first test needs the pool's connections idle.
  await mongoose.connect(`${server.url}/ogp_store`, { serverSelectionTimeoutMS: 500, autoIndex: false });
});

afterAll(async () => {
  await mongoose.disconnect();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function pendingDelivery(): Promise<Types.ObjectId> {
  const now = new Date();
  const { _id } = await DeliveryModel.create({
    key: `store:${new Types.ObjectId().toHexString()}`,
    purpose: 'reminder',
    channel: 'telegram',
    address: '4242',
    text: 'Atgādinājums / Reminder',
    state: 'pending',
    attempts: 0,
    createdAt: now,
    updatedAt: now,
  });
  return _id;
}

/**
 * What a server's crash does to the idle connections in the driver's pool, at once rather than a
 * few milliseconds later: each socket is destroyed, its close not yet handled. Reaches into the
 * driver's internals (topology → servers → pool → connections); should they change, this throws
 * rather than passes.
 */
function destroyPooledSockets(): number {
  type Pooled = { socket: { destroy(): void } };
  const client = mongoose.connection.getClient() as unknown as { topology: { s: { servers: Map<string, { pool: { connections: Iterable<Pooled> } }> } } };
  let destroyed = 0;
  for (const server of client.topology.s.servers.values()) {
    for (const connection of server.pool.connections) {
      connection.socket.destroy();
      destroyed += 1;
    }
  }
  return destroyed;
}

describe('delivery store', () => {
  it('ends a mark the driver would wait on for ever (written to a connection whose server just died) and writes it again', async () => {
    const id = await pendingDelivery();
    const store = createDeliveryStore({ operationTimeoutMs: 1_000 });
    await store.load(String(id));

    // The sockets die in the same turn of the event loop as the grouped mark goes out (both are
    // `setImmediate`s, this one first), before their close is handled: the window a crash opens.
    let destroyed = 0;
    setImmediate(() => (destroyed = destroyPooledSockets()));
    let outcome: 'waiting' | 'marked' | Error = 'waiting';
    const marking = store.markSent(id, '18', 1).then(
      () => (outcome = 'marked'),
      (error: Error) => (outcome = error),
    );
    // Without an operation timeout the driver waits for a `drain` of the dead socket for ever.
    await Promise.race([marking, sleep(10_000)]);
    expect(destroyed).toBeGreaterThan(0);
    expect(outcome).toBe('marked');
    expect(await DeliveryModel.findById(id).lean()).toMatchObject({ state: 'sent', platformMessageId: '18' });
  });

  it('keeps marking a sent delivery while the database is down, past its short retries, and the mark lands once it is back', async () => {
    const _id = await pendingDelivery();
    // A write that meets the driver's dead-socket wait (see the test above) ends after 3 s, not 15 s.
    const store = createDeliveryStore({ operationTimeoutMs: 3_000 });

    // The platform has the message; then the database crashes before the mark is written.
    await server.stop('SIGKILL');
    let outcome: 'waiting' | 'marked' | Error = 'waiting';
    const marking = store.markSent(_id, '17', 1).then(
      () => (outcome = 'marked'),
      (error: Error) => (outcome = error),
    );
    // Longer than the short retries last (the first try up to 3 s, five pauses of 3.6 s, at most
    // 5.4 s with their jitter, and five waits of 0.5 s for a server): giving up here would fail the
    // job, and its retry would send the message again.
    await sleep(12_000);
    expect(outcome).toBe('waiting');

    await server.start();
    await marking;
    expect(outcome).toBe('marked');
    expect(await DeliveryModel.findById(_id).lean()).toMatchObject({ state: 'sent', platformMessageId: '17', attempts: 1 });
  }, 40_000);
});
