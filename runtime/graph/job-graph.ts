// Job graph: stream nodes chained into vertices. A chain is linear: a node is chained to its
// successor when it has exactly one output, the successor exactly one input, the edge is forward
// (explicit or default with equal parallelism) and neither side disabled chaining. Only the tail of
// a chain writes to the network. The job graph is plain data (it crosses processes as JSON).

import type { RecordType } from '../network/typed-rows.ts';
import type { PartitionerType } from './partitioner-type.ts';
import type { StreamEdge, StreamGraph, StreamNode } from './stream-graph.ts';

export interface JobEdge {
  /** id of the underlying stream edge */
  readonly id: number;
  readonly source: string;
  readonly target: string;
  readonly inputIndex: number;
  readonly partitioner: PartitionerType;
  readonly sideOutputTag?: string;
  /** the declared type of the records on this edge (its source node's, main output only) */
  readonly recordType?: RecordType;
}

export interface JobVertex {
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** stream node ids, head first */
  readonly chain: number[];
  readonly uids: string[];
  readonly isSource: boolean;
  readonly inputs: JobEdge[];
  readonly outputs: JobEdge[];
}

export interface JobGraph {
  readonly name: string;
  readonly bounded: boolean;
  readonly maxParallelism: number;
  /** topological order (sources first) */
  readonly vertices: JobVertex[];
}

function resolvePartitioner(g: StreamGraph, e: StreamEdge): PartitionerType {
  const sp = g.parallelismOf(g.node(e.sourceId));
  const tp = g.parallelismOf(g.node(e.targetId));
  const t = e.partitioner.type;
  if (t === 'default') return sp === tp ? 'forward' : 'rebalance';
  if (t === 'forward' && sp !== tp) {
    throw new Error(`MR_ERR_FORWARD_PARALLELISM: forward edge from '${g.node(e.sourceId).name}' (parallelism ${sp}) to '${g.node(e.targetId).name}' (parallelism ${tp}) needs equal parallelism; use rebalance()`);
  }
  if (t === 'global' && tp !== 1) throw new Error(`MR_ERR_GLOBAL_PARALLELISM: '${g.node(e.targetId).name}' after global() must have parallelism 1`);
  return t;
}

function chainable(g: StreamGraph, e: StreamEdge): boolean {
  const src = g.node(e.sourceId);
  const dst = g.node(e.targetId);
  return src.outputs.length === 1 && dst.inputs.length === 1 && dst.kind !== 'source' && src.chaining && dst.chaining
    && e.sideOutputTag === undefined && resolvePartitioner(g, e) === 'forward';
}

export function buildJobGraph(g: StreamGraph): JobGraph {
  const headOf = new Map<number, number>();
  const chains: StreamNode[][] = [];
  for (const n of g.nodes) {
    const p = g.parallelismOf(n);
    if (!(Number.isInteger(p) && p >= 1)) throw new Error(`MR_ERR_PARALLELISM: '${n.name}' has parallelism ${p}; use an integer >= 1`);
    const mp = n.maxParallelism ?? g.maxParallelism;
    if (p > mp) throw new Error(`MR_ERR_PARALLELISM_ABOVE_MAX: '${n.name}' parallelism ${p} exceeds maxParallelism ${mp}`);
    const e = n.inputs[0];
    if (n.inputs.length === 1 && e && chainable(g, e)) {
      const head = headOf.get(e.sourceId)!;
      headOf.set(n.id, head);
      chains.find((c) => c[0]!.id === head)!.push(n);
    } else {
      headOf.set(n.id, n.id);
      chains.push([n]);
    }
  }
  const vid = (nodeId: number): string => `v${headOf.get(nodeId)}`;
  const vertices: JobVertex[] = chains.map((chain) => {
    const head = chain[0]!;
    const tail = chain[chain.length - 1]!;
    const toJobEdge = (e: StreamEdge): JobEdge => ({
      id: e.id, source: vid(e.sourceId), target: vid(e.targetId), inputIndex: e.inputIndex,
      partitioner: resolvePartitioner(g, e), sideOutputTag: e.sideOutputTag,
      ...(e.sideOutputTag === undefined && g.node(e.sourceId).recordType ? { recordType: g.node(e.sourceId).recordType } : {}),
    });
    return {
      id: vid(head.id),
      name: chain.map((n) => n.name).join(' -> '),
      parallelism: g.parallelismOf(head),
      maxParallelism: head.maxParallelism ?? g.maxParallelism,
      chain: chain.map((n) => n.id),
      uids: chain.map((n) => n.uid),
      isSource: head.kind === 'source',
      inputs: head.inputs.map(toJobEdge),
      outputs: tail.outputs.map(toJobEdge),
    };
  });
  return { name: g.jobName, bounded: g.isBounded(), maxParallelism: g.maxParallelism, vertices };
}
