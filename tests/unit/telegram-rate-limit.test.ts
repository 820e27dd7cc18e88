import { describe, expect, it } from 'vitest';
import { retryShortRateLimits } from '../../src/bots/telegram/rate-limit.js';

describe('short rate-limit retries', () => {
  type Prev = Parameters<ReturnType<typeof retryShortRateLimits>>[0];
  const limited = (retryAfter: number) => ({ ok: false, error_code: 429, description: 'Too Many Requests', parameters: { retry_after: retryAfter } });

  function run(method: string, answers: unknown[], maxWaitSeconds = 3) {
    const waits: number[] = [];
    let calls = 0;
    const prev = (async () => answers[Math.min(calls++, answers.length - 1)]) as unknown as Prev;
    const transformer = retryShortRateLimits({ maxWaitSeconds, sleep: async (ms) => void waits.push(ms) });
    return transformer(prev, method as never, {} as never).then((result) => ({ result, waits, calls }));
  }

  it('waits out a short retry_after and tries again', async () => {
    const { result, waits, calls } = await run('sendMessage', [limited(1), { ok: true, result: true }]);
    expect(result).toEqual({ ok: true, result: true });
    expect(waits).toEqual([1000]);
    expect(calls).toBe(2);
  });

  it('gives up on a long wait, after its retries, and leaves getUpdates to grammY', async () => {
    expect(await run('sendMessage', [limited(60)])).toMatchObject({ waits: [], calls: 1, result: { error_code: 429 } });
    expect(await run('sendMessage', [limited(1)])).toMatchObject({ waits: [1000, 1000], calls: 3 });
    expect(await run('getUpdates', [limited(1)])).toMatchObject({ waits: [], calls: 1 });
  });
});
