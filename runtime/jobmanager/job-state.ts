// A job's states, spelled as Flink's JobStatus (CANCELLING with two Ls, CANCELED with one).

export type JobState = 'CREATED' | 'RUNNING' | 'RESTARTING' | 'FINISHED' | 'FAILED' | 'CANCELLING' | 'CANCELED';
export const TERMINAL_STATES: ReadonlySet<JobState> = new Set(['FINISHED', 'FAILED', 'CANCELED']);
