// One capacity decision at a time per namespace. Queue reconciles of different queues run in
// parallel, but whether a queue's change fits depends on what the others hold: each decision
// reads the quotas in force, decides and applies inside this lock, so the next one reads the
// result (two growths that fit only one at a time are never both accepted). The Namespace
// reconciler sizes the default-queue inside it too. In memory: one operator reconciles (leader election).
// A promise chain per key; no library for these few lines.

export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier run for `key` has finished. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release = () => {};
    const mine = new Promise<void>((resolve) => { release = resolve; });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with a run in flight or waiting. */
  get size(): number { return this.tails.size; }
}

const locks = new WeakMap<object, KeyedLock>();
/** The namespace capacity lock of one operator (one per ReconcileContext). */
export function namespaceCapacityLock(ctx: object): KeyedLock {
  let l = locks.get(ctx);
  if (!l) { l = new KeyedLock(); locks.set(ctx, l); }
  return l;
}
