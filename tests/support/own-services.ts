import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import {
  freePort,
  portAccepts,
  redisAnswers,
  spawnMongoServer,
  spawnRedisServer,
  stopChild,
  waitFor,
} from '../../src/infra/local-services.js';

/**
 * A server of a test's own, started as the service's local set-up starts it (local-services.ts),
 * that the test may stop and start again: on the same port and with the same data directory, so
 * that clients reconnect to the same address and find what the server kept.
 */
export interface OwnServer {
  /** `redis://…` or `mongodb://…` without a database name. */
  readonly url: string;
  readonly running: boolean;
  /** Sends `signal` and resolves once the process is gone. */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it answers. */
  start(): Promise<void>;
  /** Stops it for good (SIGTERM, SIGKILL after 5 s). */
  close(): Promise<void>;
}

async function ownServer(what: string, url: string, spawnIt: () => ChildProcess, answers: () => Promise<boolean>): Promise<OwnServer> {
  let child: ChildProcess | undefined;
  const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const start = async () => {
    if (isRunning()) throw new Error(`${what} is running already`);
    child = spawnIt();
    await waitFor(what, answers, child, 15_000);
  };
  await start();
  return {
    url,
    get running() {
      return isRunning();
    },
    start,
    async stop(signal) {
      if (!child || !isRunning()) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
    async close() {
      if (child) await stopChild(child);
    },
  };
}

/** A redis-server on a free port keeping its files in `dir`; `persistence` as for redis-server (e.g. AOF on). */
export async function startOwnRedis(dir: string, persistence: string[]): Promise<OwnServer> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  return ownServer('redis-server', `redis://127.0.0.1:${port}`, () => spawnRedisServer(port, ['--dir', dir, ...persistence]), () =>
    redisAnswers('127.0.0.1', port),
  );
}

/** The MongoDB-wire server the tests use (FerretDB on SQLite, or mongod when installed) on a free port, data in `dir`. */
export async function startOwnMongoServer(dir: string): Promise<OwnServer> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  return ownServer('MongoDB server', `mongodb://127.0.0.1:${port}`, () => spawnMongoServer(dir, port).child, () => portAccepts(port));
}
