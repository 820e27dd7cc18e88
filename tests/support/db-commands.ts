import mongoose from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';

/**
 * The database commands a piece of work sends, seen through the driver's command monitoring (the
 * test database must be opened with `useTestDatabase({ monitorCommands: true })`). Counting them
 * keeps a later change from quietly adding round trips back to a hot path.
 */
export interface DbCommand {
  /** "find", "insert", "update", "delete", "findAndModify", … */
  name: string;
  collection: string;
  /** True when the command selects by exactly `{ _id: x }`: the one filter FerretDB 1.24/SQLite answers from an index. */
  byId: boolean;
}

export const describeCommand = (c: DbCommand) => `${c.name} ${c.collection}${c.byId ? ' [_id]' : ''}`.trim();

/** The filters a command selects by; null for a command without one (an insert). */
function filtersOf(name: string, command: Record<string, unknown>): unknown[] | null {
  switch (name) {
    case 'find':
      return [command.filter ?? {}];
    case 'count':
    case 'distinct':
    case 'findAndModify':
      return [command.query ?? {}];
    case 'update':
      return ((command.updates as { q: unknown }[] | undefined) ?? []).map((u) => u.q);
    case 'delete':
      return ((command.deletes as { q: unknown }[] | undefined) ?? []).map((d) => d.q);
    case 'aggregate':
      return [{ pipeline: true }];
    default:
      return null;
  }
}

function isExactlyById(filter: unknown): boolean {
  if (typeof filter !== 'object' || filter === null) return false;
  const keys = Object.keys(filter);
  if (keys.length !== 1 || keys[0] !== '_id') return false;
  const value = (filter as { _id: unknown })._id;
  // An ObjectId is an object too; an operator such as {$in: [...]} is not an exact match.
  return typeof value !== 'object' || value === null || '_bsontype' in value;
}

/**
 * Whether every filter of the command is exactly `{ _id: value }` (the one filter FerretDB 1.24 on
 * SQLite answers from an index; any other reads the whole collection); null when it has none.
 */
export function selectsById(event: CommandStartedEvent): boolean | null {
  const filters = filtersOf(event.commandName, event.command as Record<string, unknown>);
  return filters === null ? null : filters.every(isExactlyById);
}

/** The collection a command addresses. */
export function collectionOf(event: CommandStartedEvent): string {
  const command = event.command as Record<string, unknown>;
  const target = command[event.commandName];
  return typeof target === 'string' ? target : String(command.collection ?? '');
}

export interface DbCommandRecorder {
  /** Runs `work` and returns the commands sent meanwhile, in order. */
  of(work: () => Promise<unknown>): Promise<DbCommand[]>;
}

/** Listens to the mongoose connection's client from now on (call it once per file, after connecting). */
export function recordDbCommands(): DbCommandRecorder {
  const sent: DbCommand[] = [];
  mongoose.connection.getClient().on('commandStarted', (event: CommandStartedEvent) => {
    sent.push({ name: event.commandName, collection: collectionOf(event), byId: selectsById(event) === true });
  });
  return {
    async of(work) {
      const from = sent.length;
      await work();
      return sent.slice(from);
    },
  };
}
