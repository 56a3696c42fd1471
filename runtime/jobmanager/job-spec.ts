// What a job was submitted with, as every attempt of it is deployed.

export interface JobSpec {
  readonly jobUrl: string;
  readonly params: Record<string, string>;
  readonly parallelism: number;
  readonly batchMode: boolean;
  readonly latencyTrackingIntervalMs: number;
  /** state.backend.local-recovery: tasks keep local copies of checkpoints and restore from them */
  readonly localRecovery?: boolean;
}
