import { readFileSync, readdirSync } from 'node:fs';
import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent } from 'mongodb';
import mongoose from 'mongoose';
import type { Redis } from 'ioredis';
import { collectionOf, selectsById } from '../tests/support/db-commands.js';

/**
 * What a step costs in round trips to the stores, for bench/inbound.ts. The harness names the step
 * in flight (`ledger.begin`); every MongoDB and Redis command issued meanwhile is booked to it. With
 * one person at a time nothing else runs, so the attribution is exact; with a crowd only the totals
 * mean something.
 */

/** Driver traffic that is not the service's work: handshakes, heartbeats, session clean-up. */
const NOT_WORK = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'buildInfo', 'getParameter', 'saslStart', 'saslContinue']);

/** Writes; every other counted command is a lookup. */
const WRITES = new Set(['insert', 'update', 'delete', 'findAndModify']);

export interface KindTally {
  count: number;
  /** Sum of the commands' own durations (driver events: from sending to the reply being read), ms. */
  ms: number;
}

export interface CommandTally {
  /** By "name collection [how]", e.g. "find channelidentities [scan]". */
  byKind: Map<string, KindTally>;
  total: number;
  writes: number;
  ms: number;
}

const emptyTally = (): CommandTally => ({ byKind: new Map(), total: 0, writes: 0, ms: 0 });

function add(tally: CommandTally, kind: string, isWrite: boolean): void {
  const entry = tally.byKind.get(kind) ?? { count: 0, ms: 0 };
  tally.byKind.set(kind, entry);
  entry.count += 1;
  tally.total += 1;
  if (isWrite) tally.writes += 1;
}

export class CommandLedger {
  /** The step in flight; null between steps. */
  private step: string | null = null;
  /** How many steps of each name were booked, for the means. */
  readonly steps = new Map<string, number>();
  readonly db = new Map<string, CommandTally>();
  readonly redis = new Map<string, CommandTally>();
  /** Everything, whatever the step (the crowd phases read differences of these). */
  readonly dbTotal = emptyTally();
  readonly redisTotal = emptyTally();
  /** Commands answered (or failed), booked or not: with dbTotal.total, shows whether work is still going on. */
  dbFinished = 0;
  private readonly inFlight = new Map<number, { tally: CommandTally; kind: string }>();

  begin(step: string): void {
    this.step = step;
    this.steps.set(step, (this.steps.get(step) ?? 0) + 1);
  }

  end(): void {
    this.step = null;
  }

  private tally(map: Map<string, CommandTally>): CommandTally | undefined {
    if (this.step === null) return undefined;
    let tally = map.get(this.step);
    if (!tally) map.set(this.step, (tally = emptyTally()));
    return tally;
  }

  onDbStarted(event: CommandStartedEvent): void {
    if (NOT_WORK.has(event.commandName)) return;
    const kind = describeDbCommand(event);
    const isWrite = WRITES.has(event.commandName);
    add(this.dbTotal, kind, isWrite);
    const tally = this.tally(this.db);
    if (tally) {
      add(tally, kind, isWrite);
      this.inFlight.set(event.requestId, { tally, kind });
    }
  }

  /** The duration goes to the step the command started in. */
  onDbEnded(event: CommandSucceededEvent | CommandFailedEvent): void {
    this.dbFinished += 1;
    const started = this.inFlight.get(event.requestId);
    if (!started) return;
    this.inFlight.delete(event.requestId);
    started.tally.ms += event.duration;
    started.tally.byKind.get(started.kind)!.ms += event.duration;
  }

  onRedis(name: string): void {
    add(this.redisTotal, name, false);
    const tally = this.tally(this.redis);
    if (tally) add(tally, name, false);
  }
}

/**
 * "find contacts [_id]" when the filter is exactly {_id: value}, the only filter FerretDB 1.24 on
 * SQLite answers from an index; "[scan]" for any other filter (it reads the whole collection);
 * nothing for inserts, which have no filter.
 */
function describeDbCommand(event: CommandStartedEvent): string {
  const byId = selectsById(event);
  return `${event.commandName} ${collectionOf(event)}${byId === null ? '' : byId ? ' [_id]' : ' [scan]'}`;
}

/** Books every command of the mongoose connection (opened with `monitorCommands`) to the ledger. */
export function countDbCommands(ledger: CommandLedger): void {
  const client = mongoose.connection.getClient();
  client.on('commandStarted', (event) => ledger.onDbStarted(event));
  client.on('commandSucceeded', (event) => ledger.onDbEnded(event));
  client.on('commandFailed', (event) => ledger.onDbEnded(event));
}

/**
 * Counts by wrapping the client's sendCommand, the one funnel of ioredis: single commands,
 * pipelines and MULTI (each command in them counts; MULTI and EXEC too) and Lua scripts (one
 * EVALSHA, the script's own calls are Redis-side). Chosen over MONITOR because it sees only this
 * client: the harness's and BullMQ workers' connections stay out. A command replayed from the
 * offline queue after a reconnect would count twice; there is none in a healthy run.
 */
export function countRedisCommands(redis: Redis, ledger: CommandLedger): void {
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    ledger.onRedis(args[0].name);
    return send(...args);
  }) as Redis['sendCommand'];
}

/**
 * CPU time (user + system, ms) of this process's children whose name contains `name`, e.g. the
 * FerretDB that openBenchStores started; null when there is none (MONGODB_URI given).
 */
export function childCpuMs(name: string): number | null {
  try {
    const children = readdirSync('/proc/self/task').flatMap((task) =>
      readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean),
    );
    const ticks = children
      .filter((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').includes(name))
      // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime and stime in clock ticks.
      .map((pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ').slice(11, 13).map(Number))
      .map(([user = 0, system = 0]) => user + system);
    // Linux's USER_HZ is 100 on every platform Node runs on.
    return ticks.length === 0 ? null : ticks.reduce((a, b) => a + b, 0) * 10;
  } catch {
    return null;
  }
}
