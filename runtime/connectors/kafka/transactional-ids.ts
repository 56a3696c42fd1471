// Transactional ids of the exactly-once Kafka sink and what a restored subtask does with them.
//
// Subtask s of a sink with prefix P writes transaction number k under the id `P-s-k`; k grows by
// one per transaction and is kept in checkpoints. A checkpoint lists the transactions it
// pre-committed (flushed, not yet committed) and the first number not covered by it. After a
// restore the subtask commits the listed ones (the checkpoint completed, so they are part of
// it) and fences every id from that number upwards that a previous attempt may have left open,
// until it meets an id that was never used; it does so for each old subtask whose state it got
// (a rescale), or for its own index when it got none.

export interface PendingTransaction {
  readonly transactionalId: string;
  readonly checkpointId: number;
}

export interface KafkaSinkState {
  readonly v: 1;
  readonly subtask: number;
  /** first transaction number not covered by this checkpoint */
  readonly nextSeq: number;
  readonly pending: readonly PendingTransaction[];
}

export function transactionalId(prefix: string, subtask: number, seq: number): string {
  return `${prefix}-${subtask}-${seq}`;
}

export interface RecoveryPlan {
  /** pre-committed transactions of the restored checkpoint, to commit (in order) */
  readonly commit: readonly PendingTransaction[];
  /** per old subtask index: fence ids from this number up until an unused one */
  readonly probe: ReadonlyArray<{ readonly subtask: number; readonly fromSeq: number }>;
}

export function recoveryPlan(states: readonly unknown[], subtask: number): RecoveryPlan {
  const commit: PendingTransaction[] = [];
  const probe: Array<{ subtask: number; fromSeq: number }> = [];
  for (const raw of states) {
    const s = raw as KafkaSinkState;
    if (s?.v !== 1 || !Number.isInteger(s.subtask) || !Array.isArray(s.pending)) {
      throw new Error('MR_ERR_KAFKA_STATE: the saved state of a Kafka sink is not one this version reads; restore without it (allowNonRestoredState with a new sink uid)');
    }
    commit.push(...s.pending);
    probe.push({ subtask: s.subtask, fromSeq: s.nextSeq });
  }
  if (!probe.some((p) => p.subtask === subtask)) probe.push({ subtask, fromSeq: 1 });
  commit.sort((a, b) => a.checkpointId - b.checkpointId);
  return { commit, probe };
}

/** The prefix must make ids unique per Deployment and sink: Kafka fences by id across every job on the cluster. */
export function checkPrefix(prefix: string | undefined, where: string): string {
  if (!prefix) {
    throw new Error(`MR_ERR_KAFKA_OPTIONS: ${where}: deliveryGuarantee 'exactly-once' needs transactionalIdPrefix, unique per Deployment and sink and stable across its restarts (for example '<namespace>-<deployment>-<sink>')`);
  }
  if (!/^[\w.-]+$/.test(prefix)) throw new Error(`MR_ERR_KAFKA_OPTIONS: ${where}: transactionalIdPrefix '${prefix}' may use letters, digits, '.', '_' and '-' only`);
  return prefix;
}
