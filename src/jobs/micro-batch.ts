/**
 * Group commit for the outbox worker: calls made while the previous round trip is still under
 * way are collected and sent as one. A worker runs dozens of jobs at once; one `find` and one
 * `bulkWrite` per group instead of one per job saves round trips on MongoDB and lock fights on
 * the SQLite-backed FerretDB, which takes one writer at a time. An idle worker pays no wait: a
 * lone call goes out on the next turn of the event loop.
 */
export function microBatch<T, R>(run: (items: T[]) => Promise<R[]>, maxSize = 200): (item: T) => Promise<R> {
  let waiting: { item: T; resolve: (value: R) => void; reject: (error: unknown) => void }[] = [];
  let busy = false;
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    if (busy || waiting.length === 0) return;
    const batch = waiting.slice(0, maxSize);
    waiting = waiting.slice(batch.length);
    busy = true;
    run(batch.map((entry) => entry.item))
      .then(
        (results) => batch.forEach((entry, index) => entry.resolve(results[index] as R)),
        (error: unknown) => batch.forEach((entry) => entry.reject(error)),
      )
      .finally(() => {
        busy = false;
        schedule();
      });
  };
  const schedule = () => {
    if (scheduled || waiting.length === 0) return;
    scheduled = true;
    setImmediate(flush);
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      schedule();
    });
}
