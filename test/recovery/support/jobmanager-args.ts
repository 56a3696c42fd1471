// `millrace jobmanager` flags of the checkpoint contract (issue 4), in one place.

export interface CheckpointSettings {
  readonly storage: string;
  readonly namespace: string;
  readonly deployment: string;
  readonly intervalMs: number;
  readonly retained?: number;
  readonly tolerableFailed?: number;
}

export function checkpointArgs(s: CheckpointSettings): string[] {
  return [
    '--checkpoint-storage', s.storage, '--namespace', s.namespace, '--deployment', s.deployment,
    '--checkpoint-interval-ms', String(s.intervalMs),
    ...(s.retained === undefined ? [] : ['--checkpoints-retained', String(s.retained)]),
    ...(s.tolerableFailed === undefined ? [] : ['--tolerable-failed-checkpoints', String(s.tolerableFailed)]),
  ];
}
