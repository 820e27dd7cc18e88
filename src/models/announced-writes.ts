import type { Schema } from 'mongoose';

/**
 * Every write to a cached kind of data announced after it lands, for the caches that hold it in
 * the process (infra/generation-cache.ts), which set the listener of their topic:
 * - `plan`: plans, commitments, measures and reporting rounds (domain/plan/plan-cache.ts);
 * - `people`: contacts and their chat identities (domain/chat/people-cache.ts).
 *
 * The hooks have to sit here, in the schemas, rather than be added by the cache: mongoose copies a
 * schema's middleware into the model when `model()` compiles it, and ignores any added afterwards
 * ("Define Middleware Before Compiling Models" in mongoose's middleware guide).
 *
 * With no listener set (nothing configured a cache: unit tests, scripts), the hooks do nothing.
 */

export const WRITE_TOPICS = ['plan', 'people'] as const;
export type WriteTopic = (typeof WRITE_TOPICS)[number];

export type WriteListener = () => Promise<void>;

const listeners = new Map<WriteTopic, WriteListener>();

/** Sets (or with null, clears) the one listener of `topic`. */
export function onWritten(topic: WriteTopic, next: WriteListener | null): void {
  if (next) listeners.set(topic, next);
  else listeners.delete(topic);
}

/**
 * The writes mongoose has middleware for. `save` also covers `create`, `insertOne` and `bulkSave`;
 * `updateOne` and `deleteOne` are hooked both as query middleware (Model.updateOne) and as
 * document middleware (doc.updateOne()), hence `{ document: true, query: true }`. Writes made
 * through `Model.collection` bypass all of this and must announce themselves, unless they touch
 * nothing a cache holds (a report's write of the measure's current status, status-report-writer.ts).
 */
const QUERY_WRITES = ['updateMany', 'replaceOne', 'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete', 'deleteMany'] as const;
const DOCUMENT_AND_QUERY_WRITES = ['updateOne', 'deleteOne'] as const;
const OTHER_WRITES = ['save', 'insertMany', 'bulkWrite'] as const;

/**
 * Schema plugin announcing every write to the schema's model under `topic`:
 * `schema.plugin(announcesWrites('plan'))`. Post hooks run after the write; mongoose awaits the
 * promise a hook returns, so by the time the caller's `await` resolves the listener is done. A write
 * that fails may still have changed something (an unordered bulkWrite, an updateMany stopped half
 * way), so the error-handling form of each hook announces too and then lets the error through.
 */
export function announcesWrites(topic: WriteTopic): (schema: Schema) => void {
  return (schema) => {
    // Arity matters: a post hook with two or more parameters is taken for the callback form.
    const announce = () => listeners.get(topic)?.();
    const announceFailure = async (error: unknown) => {
      await listeners.get(topic)?.();
      throw error;
    };
    // mongoose's typings spread these over a dozen overloads by hook kind (none for an error handler
    // on bulkWrite); one signature for all of them, as the runtime (Kareem) sees them.
    const post = schema.post.bind(schema) as (name: string, options: Record<string, boolean>, fn: (error: unknown) => unknown) => Schema;
    const hooks: [readonly string[], Record<string, boolean>][] = [
      [OTHER_WRITES, {}],
      [QUERY_WRITES, { document: false, query: true }],
      [DOCUMENT_AND_QUERY_WRITES, { document: true, query: true }],
    ];
    for (const [names, options] of hooks) {
      for (const name of names) {
        post(name, options, announce);
        post(name, { ...options, errorHandler: true }, announceFailure);
      }
    }
  };
}
