/**
 * Runs async work one at a time per key, in arrival order, within this process.
 *
 * Why it exists: FerretDB's SQLite backend (our local and CI server) does not apply a conditional
 * update atomically (FerretDB#3040: the document can change between its query and its write), so
 * two events at once could both pass a `version` check, or both `$push` onto the same array and
 * lose one. MongoDB applies those atomically across processes; this lock makes one process
 * correct on both servers.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with work running or waiting; for tests. */
  get size(): number {
    return this.tails.size;
  }
}
