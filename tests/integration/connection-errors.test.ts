import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import pino from 'pino';
import { createRedis } from '../../src/redis.js';
import { logConnectionErrors } from '../../src/jobs/connection-errors.js';

/**
 * A queue whose Redis is gone logs through the JSON logger, the first error at once and then at
 * most one line per 10 s, instead of raw stack traces many times a second.
 */
describe('queue errors during a Redis outage', () => {
  it('are JSON lines, few, naming the queue and never a stack trace', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    // Nothing listens on port 1: the client fails and retries, as during an outage.
    const connection = createRedis('redis://127.0.0.1:1');
    const queue = new Queue('outage-test', { connection });
    logConnectionErrors(queue, pino({ base: undefined }, sink), 'outage-test');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    connection.disconnect();
    await queue.close().catch(() => undefined);

    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(2);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect([first.msg, first.queue, typeof first.error]).toEqual(['queue error', 'outage-test', 'string']);
    expect(lines.join('\n')).not.toMatch(/\n\s+at /);
    expect(first).not.toHaveProperty('stack');
  });
});
