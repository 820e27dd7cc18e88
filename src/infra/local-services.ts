import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * The one code path that finds or starts MongoDB and Redis for the demo, the tests and CI:
 * configured URLs win; otherwise Redis on 127.0.0.1:6379 if it answers, else a redis-server of our
 * own; for MongoDB a `mongod` on PATH, else FerretDB 1.24.2 on SQLite (built once into .tools/).
 */

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface LocalServices {
  mongodbUri: string;
  redisUrl: string;
  /** What runs where, for the start-up message. */
  describe: string[];
  stop(): Promise<void>;
}

export interface LocalServicesOptions {
  mongodbUri?: string;
  redisUrl?: string;
  /** Where started servers keep data; a throw-away folder for tests. */
  dataDir: string;
  /** Database name appended to a started server's URI. */
  database: string;
  say?: (line: string) => void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Sends PING and waits for +PONG: proves a Redis answers, not just that a port is open. */
export async function redisAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk) => done(chunk.toString().startsWith('+PONG')));
    socket.connect(port, host, () => socket.write('PING\r\n'));
  });
}

export async function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, child: ChildProcess, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${what} exited early with code ${child.exitCode}`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start within ${timeoutMs / 1000} s`);
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function ferretdbBinary(): string {
  return join(projectRoot, '.tools/bin/ferretdb');
}

/** Builds FerretDB once; the script prints that the one-time build is happening. */
function ensureFerretdbBuilt(): string {
  const bin = ferretdbBinary();
  const result = spawnSync('bash', [join(projectRoot, 'scripts/install-ferretdb.sh')], { stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(bin)) {
    throw new Error('Could not build FerretDB (see above). Set MONGODB_URI to use another MongoDB.');
  }
  return bin;
}

/** A redis-server of our own on 127.0.0.1:`port`; `persistence` says whether and how it keeps data. */
export function spawnRedisServer(port: number, persistence: string[]): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...persistence], { stdio: 'ignore' });
}

/**
 * A MongoDB-wire server of our own on 127.0.0.1:`port`, keeping its data under `dataDir`: a
 * `mongod` on PATH, else FerretDB on SQLite. Starting it again with the same arguments finds the
 * same data (the fault tests restart it so).
 */
export function spawnMongoServer(dataDir: string, port: number): { child: ChildProcess; name: string; describe: string } {
  if (onPath('mongod')) {
    const dir = join(dataDir, 'mongod');
    mkdirSync(dir, { recursive: true });
    const child = spawn('mongod', ['--dbpath', dir, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet'], { stdio: 'ignore' });
    return { child, name: 'mongod', describe: `MongoDB: mongod on 127.0.0.1:${port}` };
  }
  const bin = ensureFerretdbBuilt();
  const dir = join(dataDir, 'ferretdb');
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    bin,
    [
      '--handler=sqlite',
      // WAL with synchronous=NORMAL: safe against a crash of the process, only a power cut can lose
      // the last commits; FerretDB stands in for MongoDB only locally and in CI.
      `--sqlite-url=file:${dir}/?_pragma=synchronous(normal)`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--state-dir=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: 'ignore' },
  );
  return { child, name: 'FerretDB (SQLite backend)', describe: `MongoDB wire: FerretDB 1.24.2 (SQLite in ${dir}) on 127.0.0.1:${port}` };
}

export async function startLocalServices(options: LocalServicesOptions): Promise<LocalServices> {
  const say = options.say ?? (() => {});
  const children: ChildProcess[] = [];
  const describe: string[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
  };

  try {
    let redisUrl = options.redisUrl;
    if (redisUrl) {
      describe.push('Redis: REDIS_URL');
    } else if (await redisAnswers('127.0.0.1', 6379)) {
      redisUrl = 'redis://127.0.0.1:6379';
      describe.push('Redis: 127.0.0.1:6379 (already running)');
    } else {
      if (!onPath('redis-server')) throw new Error('No Redis answers on 127.0.0.1:6379 and redis-server is not installed; set REDIS_URL.');
      const port = await freePort();
      say(`Starting redis-server on port ${port}...`);
      const child = spawnRedisServer(port, ['--save', '', '--appendonly', 'no']);
      children.push(child);
      await waitFor('redis-server', () => redisAnswers('127.0.0.1', port), child);
      redisUrl = `redis://127.0.0.1:${port}`;
      describe.push(`Redis: started on 127.0.0.1:${port}`);
    }

    let mongodbUri = options.mongodbUri;
    if (mongodbUri) {
      describe.push('MongoDB: MONGODB_URI');
    } else {
      const port = await freePort();
      const server = spawnMongoServer(options.dataDir, port);
      say(`Starting ${server.name} on port ${port}...`);
      describe.push(server.describe);
      children.push(server.child);
      await waitFor('MongoDB server', () => portAccepts(port), server.child);
      mongodbUri = `mongodb://127.0.0.1:${port}/${options.database}`;
    }

    return { mongodbUri, redisUrl, describe, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
