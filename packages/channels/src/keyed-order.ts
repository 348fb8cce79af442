/**
 * Runs async tasks in the order they were added *per key* (a chat), while tasks of
 * different keys run at the same time. A key's chain is dropped once it has drained, so
 * memory stays bounded by the keys in flight.
 *
 * Hand-written: p-queue (v10) has no per-key queues; a map of concurrency-1 queues with
 * their clean-up would be this class again, plus a dependency.
 */
export class KeyedOrder {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every task added earlier under `key` has settled. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or waiting. */
  get size(): number {
    return this.#tails.size;
  }

  /** Resolves once every task added so far has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.#tails.values()]);
  }
}
