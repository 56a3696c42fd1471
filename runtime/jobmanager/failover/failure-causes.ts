// What a failure's message says about its cause. The job master's decisions depend on a few
// facts hidden in error texts (a TaskManager that does not answer, a data peer that refuses
// connections, a snapshot file that is gone); they are read here, in one place.

/** A deployment that failed because the TaskManager is gone (not because the task is bad). */
export function isUnreachable(err: Error): boolean {
  return /fetch failed|ECONNREFUSED|ECONNRESET|EHOSTUNREACH/.test(`${err.message} ${String((err as { cause?: unknown }).cause ?? '')}`);
}

/**
 * The data address a task of the attempt could not connect to (nothing listens there: its
 * TaskManager died), from the channel failure it reported; undefined for any other failure.
 */
export function refusedPeer(error: string): string | undefined {
  return /MR_ERR_CHANNEL_FAILED: connection to (\S+) lost: connect ECONNREFUSED/.exec(error)?.[1];
}

/**
 * The upstream subtask whose data connection to the failed task closed before its partition ended
 * (runtime/network/network-environment.ts; a connection serves a pair of slots and closes only
 * when a process or slot dies), from the channel key `<job>/<attempt>/<edge>/<from>/<to>` in the
 * message; undefined for other failures.
 */
export function closedUpstream(error: string): { edgeId: number; subtaskIndex: number } | undefined {
  const m = /MR_ERR_CHANNEL_FAILED: upstream connection closed before end of partition \([^/\s]+\/\d+\/(\d+)\/(\d+)\/\d+\)/.exec(error);
  return m ? { edgeId: Number(m[1]), subtaskIndex: Number(m[2]) } : undefined;
}

/** The data address a task lost its connection to (its TaskManager may be dead); undefined for other failures. */
export function lostPeer(error: string): string | undefined {
  return /MR_ERR_CHANNEL_FAILED: connection to (\S+) lost/.exec(error)?.[1];
}

/** A task found a file of the snapshot it restores from missing or damaged. */
export function isDamagedSnapshot(cause: string): boolean {
  return /MR_ERR_CHECKPOINT_(MISSING|CORRUPT)/.test(cause);
}
