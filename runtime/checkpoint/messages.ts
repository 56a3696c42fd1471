// What crosses processes for checkpoints (JSON over the internal REST protocol and the
// TaskManager ↔ slot-worker messages). One file, so both ends agree on the shapes.

import type { StateFileEntry, StateFileHandle } from '../storage/snapshot-metadata.ts';

/** Where the state files of one checkpoint or savepoint go: a store and a directory inside it. */
export interface SnapshotTarget {
  /** storage URI of the store root (s3://bucket/prefix or a directory) */
  readonly storageUri: string;
  /** directory relative to the store root, ending in '/' */
  readonly dir: string;
}

export interface TriggerCheckpoint {
  readonly jobId: string;
  readonly attempt: number;
  readonly checkpointId: number;
  readonly target: SnapshotTarget;
  readonly isSavepoint: boolean;
  /** stop-with-savepoint with drain: sources emit the final watermark before the barrier */
  readonly drain?: boolean;
}

export interface CheckpointAck {
  readonly jobId: string;
  readonly attempt: number;
  readonly checkpointId: number;
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly handles: StateFileHandle[];
  readonly alignmentMs: number;
  readonly syncMs: number;
  readonly asyncMs: number;
}

export interface CheckpointDecline {
  readonly jobId: string;
  readonly attempt: number;
  readonly checkpointId: number;
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly reason: string;
}

export interface NotifyCheckpointComplete {
  readonly jobId: string;
  readonly attempt: number;
  readonly checkpointId: number;
  /** stop-with-savepoint: tasks end right after committing */
  readonly stopAfter?: boolean;
}

/** The coordinator gave a checkpoint up (timeout, decline, failover): tasks drop its in-flight snapshot. */
export interface NotifyCheckpointAborted {
  readonly jobId: string;
  readonly attempt: number;
  readonly checkpointId: number;
}

/** What a subtask restores: the snapshot's location and, per operator uid, the files it reads. */
export interface SubtaskRestore {
  readonly storageUri: string;
  readonly dir: string;
  readonly checkpointId: number;
  readonly files: Record<string, StateFileEntry[]>;
}

export const taskKey = (vertexId: string, subtaskIndex: number): string => `${vertexId}/${subtaskIndex}`;
