import type { Logger } from '../log.js';

/** During an outage BullMQ reports the same connection error many times a second. */
const QUIET_MS = 10_000;

/** A BullMQ Queue or Worker, or an ioredis client: each emits `error` with an Error. */
interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Every BullMQ Queue and Worker and every Redis client gets an `error` listener: without one, a
 * Redis outage prints raw stack traces (BullMQ) or "[ioredis] Unhandled error event" lines to
 * stderr, hundreds in a few seconds. Through the JSON logger instead, the first error at once and
 * then at most one line per QUIET_MS with how many were left out.
 */
export function logConnectionErrors(emitter: ErrorEmitter, log: Logger | undefined, what: string): void {
  let lastAt = 0;
  let skipped = 0;
  emitter.on('error', (error: Error) => {
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
