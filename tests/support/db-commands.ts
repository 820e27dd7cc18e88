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

/** The filter a command selects by, for the commands that have one. */
function filterOf(command: Record<string, unknown>): unknown {
  if ('filter' in command) return command.filter;
  if ('query' in command) return command.query;
  const first = ((command.updates ?? command.deletes) as { q?: unknown }[] | undefined)?.[0];
  return first?.q;
}

export interface DbCommandRecorder {
  /** Runs `work` and returns the commands sent meanwhile, in order. */
  of(work: () => Promise<unknown>): Promise<DbCommand[]>;
}

/** Listens to the mongoose connection's client from now on (call it once per file, after connecting). */
export function recordDbCommands(): DbCommandRecorder {
  const sent: DbCommand[] = [];
  mongoose.connection.getClient().on('commandStarted', (event: CommandStartedEvent) => {
    const command = event.command as Record<string, unknown>;
    const target = command[event.commandName];
    const filter = filterOf(command);
    const byId = typeof filter === 'object' && filter !== null && Object.keys(filter).length === 1 && '_id' in filter;
    sent.push({ name: event.commandName, collection: typeof target === 'string' ? target : '', byId });
  });
  return {
    async of(work) {
      const from = sent.length;
      await work();
      return sent.slice(from);
    },
  };
}
