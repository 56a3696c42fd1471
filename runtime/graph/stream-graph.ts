// The logical graph a job builds: one node per operator, edges with their partitioning.
// Building is deterministic (node ids by creation order), so every process that imports the
// job module with the same parameters gets the same graph and can instantiate its subtasks.

import type { KeySelector } from '../api/functions.ts';
import type { Source } from '../api/source.ts';
import type { WatermarkStrategy } from '../api/watermarks.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import type { PartitionerType } from './partitioner-type.ts';
import type { RecordType } from '../network/typed-rows.ts';

export interface PartitionerSpec {
  /** 'default' becomes forward when parallelism matches, otherwise rebalance */
  readonly type: PartitionerType | 'default';
  readonly key?: KeySelector<unknown>;
}

export interface StreamEdge {
  readonly id: number;
  readonly sourceId: number;
  readonly targetId: number;
  readonly inputIndex: number;
  readonly partitioner: PartitionerSpec;
  readonly sideOutputTag?: string;
}

export interface StreamNode {
  readonly id: number;
  name: string;
  uid: string;
  parallelism: number | undefined;
  maxParallelism: number | undefined;
  chaining: boolean;
  readonly kind: 'source' | 'operator' | 'sink';
  readonly createOperator: () => StreamOperator;
  readonly source?: { readonly source: Source<unknown>; readonly strategy?: WatermarkStrategy<unknown> };
  readonly inputs: StreamEdge[];
  readonly outputs: StreamEdge[];
  /**
   * The declared type of what the node emits on its main output (SQL: its changelog rows' row
   * type), when known: its channels to other slots then write rows by type (network/typed-rows.ts).
   */
  recordType?: RecordType;
}

export type RuntimeMode = 'streaming' | 'batch';

export class StreamGraph {
  readonly nodes: StreamNode[] = [];
  readonly edges: StreamEdge[] = [];
  jobName = 'job';
  defaultParallelism = 1;
  maxParallelism = 128;
  /** Sources emit an advanced watermark at most this often (Flink's auto-watermark interval). */
  autoWatermarkIntervalMs = 20;

  addNode(n: Omit<StreamNode, 'id' | 'inputs' | 'outputs'>): StreamNode {
    const node: StreamNode = { ...n, id: this.nodes.length, inputs: [], outputs: [] };
    this.nodes.push(node);
    return node;
  }

  addEdge(sourceId: number, targetId: number, inputIndex: number, partitioner: PartitionerSpec, sideOutputTag?: string): StreamEdge {
    const e: StreamEdge = { id: this.edges.length, sourceId, targetId, inputIndex, partitioner, sideOutputTag };
    this.edges.push(e);
    this.node(sourceId).outputs.push(e);
    this.node(targetId).inputs.push(e);
    return e;
  }

  node(id: number): StreamNode {
    const n = this.nodes[id];
    if (!n) throw new Error(`MR_ERR_UNKNOWN_NODE: no stream node ${id}`);
    return n;
  }

  parallelismOf(n: StreamNode): number {
    return n.parallelism ?? this.defaultParallelism;
  }

  isBounded(): boolean {
    return this.nodes.every((n) => n.kind !== 'source' || n.source!.source.bounded);
  }
}
