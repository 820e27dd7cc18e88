import type { Queue, Worker } from 'bullmq';
import type { Logger } from '../log.js';

/** During an outage BullMQ reports the same connection error many times a second. */
const QUIET_MS = 10_000;

/**
 * Every BullMQ Queue and Worker gets an `error` listener: without one, a Redis outage prints raw
 * multi-line stack traces to stderr (about 200 lines in 5 s). Through the JSON logger instead, the
 * first error at once and then at most one line per QUIET_MS with how many were left out.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any queue or worker, whatever its job types
export function logQueueErrors(emitter: Queue<any, any, any> | Worker<any, any, any>, log: Logger | undefined, what: string): void {
  let lastAt = 0;
  let skipped = 0;
  // Both emit `error` with an Error; their typed `on` overloads do not unify.
  (emitter as unknown as { on(event: 'error', listener: (error: Error) => void): void }).on('error', (error: Error) => {
    const now = Date.now();
    if (now - lastAt < QUIET_MS) {
      skipped += 1;
      return;
    }
    log?.error({ queue: what, error: error.message, code: (error as { code?: string }).code, skipped }, 'queue error');
    lastAt = now;
    skipped = 0;
  });
}
