// Which source subtask reads which partition, and what a subtask's checkpointed position is.
//
// Splits travel with their positions, as in Flink's split reassignment: after a rescale the old
// subtask j's state goes to new subtask j mod p (runtime/api/source.ts), and with it the
// partitions j read. So that a partition nobody had read yet at the checkpoint (created, or not
// yet discovered) lands on the same subtask everywhere without any coordination, ownership is a
// pure function of the partition and the job's parallelism history (`chain`): start with Flink's
// KafkaSourceEnumerator rule at the first parallelism, then `mod p` at every rescale. That is
// exactly where the state of the partition's former owner went, so a restored split and a newly
// claimed one can never be read by two subtasks. A subtask that inherited no chain (scaled up
// beyond every earlier parallelism) owns nothing under it and stays idle.

export interface Split {
  readonly topic: string;
  readonly partition: number;
  /** next offset to emit (Kafka's committed-offset convention) */
  offset: number;
  /** bounded mode: stop before this offset */
  readonly stop?: number;
}

/** What one source subtask keeps in a checkpoint. */
export interface KafkaSourceState {
  readonly v: 1;
  /** parallelism history; null: this subtask owns nothing (see above) */
  readonly chain: readonly number[] | null;
  readonly splits: readonly Split[];
  /** the subtask had resolved its partitions' start offsets (absent: checkpointed before that) */
  readonly started?: boolean;
}

export function splitKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** Java's String.hashCode, so the first assignment is Flink's for the same topics. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** The subtask that reads `topic`/`partition` under the parallelism history `chain`. */
export function ownerOf(topic: string, partition: number, chain: readonly number[]): number {
  // KafkaSourceEnumerator.getSplitOwner: ((topic.hashCode() * 31) & 0x7FFFFFFF) + partition) % numReaders
  let owner = (((Math.imul(javaHash(topic), 31) & 0x7fffffff) + partition) % chain[0]!);
  for (let i = 1; i < chain.length; i++) owner %= chain[i]!;
  return owner;
}

export interface Restored {
  chain: readonly number[] | null;
  splits: Split[];
  /** false when a state was taken before its subtask resolved the start offsets: claims then use the start mode */
  started: boolean;
}

/**
 * A subtask's position after a restore: the splits of every old state it was given, and the
 * parallelism history extended by the current parallelism when it changed.
 */
export function restoreFrom(states: readonly unknown[], parallelism: number): Restored {
  const splits: Split[] = [];
  let chain: readonly number[] | null = null;
  let started = true;
  for (const raw of states) {
    const s = raw as KafkaSourceState;
    if (s?.v !== 1 || !Array.isArray(s.splits)) {
      throw new Error('MR_ERR_KAFKA_STATE: the saved position of a Kafka source is not one this version reads; restore without that state (allowNonRestoredState with a new uid) or from a newer savepoint');
    }
    for (const split of s.splits) splits.push({ ...split });
    if (s.chain && s.chain.length > 0) chain = s.chain;
    if (s.started !== true) started = false;
  }
  if (chain && chain[chain.length - 1] !== parallelism) chain = [...chain, parallelism];
  return { chain, splits, started };
}
