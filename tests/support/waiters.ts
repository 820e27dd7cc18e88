/**
 * "Resolve once this holds" for the fake platform servers: tests wait for a call to arrive
 * instead of sleeping. The fake calls `notify()` whenever its state changes.
 */
export class Waiters {
  private readonly checks = new Set<() => void>();

  notify(): void {
    for (const check of [...this.checks]) check();
  }

  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs: number, describeFailure: () => string): Promise<T> {
    const now = predicate();
    if (now) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = predicate();
        if (!value) return;
        clearTimeout(timer);
        this.checks.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.checks.delete(check);
        reject(new Error(`${describeFailure()} (not met within ${timeoutMs} ms)`));
      }, timeoutMs);
      this.checks.add(check);
    });
  }
}

/**
 * Resolves once `count` (a fake's calls so far) has not changed for `quietMs`: the server is done
 * with what it was sent. Gives up quietly after `maxMs`; the test's assertions say what is missing.
 */
export async function untilQuiet(count: () => number, quietMs = 300, maxMs = 5000): Promise<void> {
  const until = Date.now() + maxMs;
  let seen = -1;
  while (seen !== count() && Date.now() < until) {
    seen = count();
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
}
