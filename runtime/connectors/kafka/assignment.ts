// Which source subtask reads which partition, and what a subtask's checkpointed position is.
//
// Ownership is Flink's KafkaSourceEnumerator rule at the current parallelism, a pure function of
// topic, partition and parallelism, so every subtask computes the same owner without talking to
// the others, for restored partitions and for partitions discovered later alike.
//
// Positions are union state (Flink's union list state, as the old FlinkKafkaConsumer kept its
// offsets): the position carries `restoreAsUnion` (runtime/api/source.ts), so on every restore
// each subtask gets the positions of ALL old subtasks and keeps the partitions the rule gives it
// at the new parallelism, with their offsets exactly. A scale-up thus spreads the partitions over
// the new subtasks too, and a scale-down gathers them; none is read twice or lost.
//
// Version 1 positions (before union state) went from old subtask j to new subtask j mod p, and
// ownership followed the parallelism history (`chain`): start with the rule at the first
// parallelism, then `mod p` at every rescale. They are still read at the parallelism they were
// saved at (the next snapshot is version 2); a rescale from them is refused with the way round.
// No position at all (a source the snapshot does not have) starts by the start mode.

export interface Split {
  readonly topic: string;
  readonly partition: number;
  /** next offset to emit (Kafka's committed-offset convention) */
  offset: number;
  /** bounded mode: stop before this offset */
  readonly stop?: number;
}

/** What one source subtask keeps in a checkpoint (version 2: union state). */
export interface KafkaSourceState {
  readonly v: 2;
  /** every subtask gets every old subtask's position on restore (runtime/api/source.ts) */
  readonly restoreAsUnion: true;
  /** the subtask that wrote it, and its parallelism: a restore checks it got all of them */
  readonly subtask: number;
  readonly parallelism: number;
  readonly splits: readonly Split[];
  /** the subtask had resolved its partitions' start offsets (absent: checkpointed before that) */
  readonly started?: boolean;
}

/** Version 1: old subtask j's position went to new subtask j mod p. */
export interface KafkaSourceStateV1 {
  readonly v: 1;
  /** parallelism history; null: this subtask owns nothing */
  readonly chain: readonly number[] | null;
  readonly splits: readonly Split[];
  readonly started?: boolean;
}

export function splitKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** Java's String.hashCode, so the assignment is Flink's for the same topics. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** The subtask that reads `topic`/`partition` under the parallelism history `chain` ([p] for version 2). */
export function ownerOf(topic: string, partition: number, chain: readonly number[]): number {
  // KafkaSourceEnumerator.getSplitOwner: ((topic.hashCode() * 31) & 0x7FFFFFFF) + partition) % numReaders
  let owner = (((Math.imul(javaHash(topic), 31) & 0x7fffffff) + partition) % chain[0]!);
  for (let i = 1; i < chain.length; i++) owner %= chain[i]!;
  return owner;
}

export interface Restored {
  /** the ownership rule from now on; null: this subtask owns nothing (version 1 only) */
  chain: readonly number[] | null;
  splits: Split[];
  /** false when a state was taken before its subtask resolved the start offsets: claims then use the start mode */
  started: boolean;
}

const BAD_STATE = 'MR_ERR_KAFKA_STATE: the saved position of a Kafka source is not one this version reads; restore without that state (allowNonRestoredState with a new uid) or from a newer savepoint';

/**
 * Subtask `subtaskIndex`'s position after a restore at `parallelism` from the old positions it
 * was given: version 2, all of them (it keeps the partitions it owns now); version 1, those of
 * the old subtasks assigned to it (it keeps them all and extends the parallelism history).
 */
export function restoreFrom(states: readonly unknown[], parallelism: number, subtaskIndex: number): Restored {
  // no saved position (a source the snapshot does not have): start by the start mode, as Flink;
  // union state never leaves a subtask without positions when the snapshot has any
  if (states.length === 0) return { chain: [parallelism], splits: [], started: false };
  const versions = new Set(states.map((s) => (s as { v?: unknown } | null)?.v));
  for (const raw of states) {
    const s = raw as { v?: unknown; splits?: unknown } | null;
    if ((s?.v !== 1 && s?.v !== 2) || !Array.isArray(s.splits)) throw new Error(BAD_STATE);
  }
  if (versions.size > 1) throw new Error(`${BAD_STATE} (versions 1 and 2 mixed in one snapshot)`);
  return versions.has(2) ? restoreUnion(states as KafkaSourceState[], parallelism, subtaskIndex) : restoreV1(states as KafkaSourceStateV1[], parallelism);
}

function restoreUnion(states: readonly KafkaSourceState[], parallelism: number, subtaskIndex: number): Restored {
  const old = states[0]!.parallelism;
  const seen = new Set(states.map((s) => s.subtask));
  if (states.some((s) => s.parallelism !== old) || seen.size !== old || [...seen].some((i) => i < 0 || i >= old)) {
    // a partial set would silently drop the partitions of the missing subtasks
    throw new Error(`MR_ERR_KAFKA_STATE: Kafka source subtask ${subtaskIndex} got the positions of old subtasks [${[...seen].sort((a, b) => a - b).join(', ')}] of ${old}; it needs all of them (union state); restore from a snapshot this version wrote`);
  }
  const chain = [parallelism];
  const splits = new Map<string, Split>();
  for (const s of states) {
    for (const split of s.splits) {
      if (ownerOf(split.topic, split.partition, chain) === subtaskIndex && !splits.has(splitKey(split.topic, split.partition))) splits.set(splitKey(split.topic, split.partition), { ...split });
    }
  }
  return { chain, splits: [...splits.values()], started: states.every((s) => s.started === true) };
}

function restoreV1(states: readonly KafkaSourceStateV1[], parallelism: number): Restored {
  const splits: Split[] = [];
  let chain: readonly number[] | null = null;
  let started = true;
  for (const s of states) {
    for (const split of s.splits) splits.push({ ...split });
    if (s.chain && s.chain.length > 0) chain = s.chain;
    if (s.started !== true) started = false;
  }
  if (chain && chain[chain.length - 1] !== parallelism) {
    // old subtask j went to new j mod p, so a subtask beyond the old parallelism got nothing and
    // cannot tell "no position saved" from "owns nothing": only the same parallelism is exact
    const old = chain[chain.length - 1]!;
    throw new Error(`MR_ERR_KAFKA_STATE: this Kafka source position was saved at parallelism ${old} by an older version, which cannot be restored at parallelism ${parallelism}; restore it at parallelism ${old}, take a new savepoint, then restore that one at ${parallelism}`);
  }
  return { chain, splits, started };
}
