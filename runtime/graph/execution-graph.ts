// Execution graph: every job vertex expanded into its subtasks for the current attempt, with
// where each runs, its state and its latest metrics. Aggregates per vertex for the REST API.

import type { TaskMetrics } from '../metrics/task-metrics.ts';
import { mergedP99 } from '../metrics/latency-histogram.ts';
import type { JobGraph, JobVertex } from './job-graph.ts';

export type TaskState = 'SCHEDULED' | 'DEPLOYING' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';

export interface ExecutionVertex {
  readonly vertexId: string;
  readonly subtaskIndex: number;
  state: TaskState;
  taskManagerId?: string;
  slotAddress?: string;
  metrics?: TaskMetrics;
}

export interface VertexSummary {
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  readonly status: TaskState;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly backpressureRatio: number;
  readonly backpressureLevel: 'ok' | 'low' | 'high';
  readonly busyRatio: number;
  readonly inputWatermark: number | null;
  readonly latencyP99Ms: number | null;
  readonly subtasks: Array<{ index: number; state: TaskState; taskManagerId?: string; recordsIn: number; recordsOut: number; backpressureRatio: number; inputWatermark: number | null }>;
}

// watermarks cross JSON, where ±Infinity becomes null: null means none yet (−∞)
const wmOut = (w: number | null | undefined): number | null => (w === undefined || w === null || !Number.isFinite(w) ? null : w);

export class ExecutionGraph {
  readonly jobGraph: JobGraph;
  attempt = 0;
  readonly subtasks = new Map<string, ExecutionVertex[]>();
  /** metrics of earlier attempts are dropped: counts restart with the job */

  constructor(jobGraph: JobGraph) {
    this.jobGraph = jobGraph;
    this.reset(0);
  }

  reset(attempt: number): void {
    this.attempt = attempt;
    for (const v of this.jobGraph.vertices) {
      this.subtasks.set(v.id, Array.from({ length: v.parallelism }, (_, i) => ({ vertexId: v.id, subtaskIndex: i, state: 'SCHEDULED' as TaskState })));
    }
  }

  get(vertexId: string, index: number): ExecutionVertex | undefined {
    return this.subtasks.get(vertexId)?.[index];
  }

  all(): ExecutionVertex[] {
    return [...this.subtasks.values()].flat();
  }

  allFinished(): boolean {
    return this.all().every((e) => e.state === 'FINISHED');
  }

  /** Slots needed with slot sharing: subtask i of every vertex shares slot i. */
  slotsNeeded(): number {
    return Math.max(...this.jobGraph.vertices.map((v) => v.parallelism));
  }

  private vertexStatus(es: ExecutionVertex[]): TaskState {
    const order: TaskState[] = ['FAILED', 'CANCELED', 'DEPLOYING', 'SCHEDULED', 'RUNNING', 'FINISHED'];
    for (const s of order) if (es.some((e) => e.state === s)) return s;
    return 'SCHEDULED';
  }

  summarize(v: JobVertex): VertexSummary {
    const es = this.subtasks.get(v.id) ?? [];
    const m = es.map((e) => e.metrics);
    const sum = (f: (x: TaskMetrics) => number) => m.reduce((a, x) => a + (x ? f(x) : 0), 0);
    const bp = Math.max(0, ...m.map((x) => x?.backpressureRatio ?? 0));
    const wms = m.filter((x): x is TaskMetrics => x !== undefined).map((x) => (x.inputWatermark as number | null) ?? Number.NEGATIVE_INFINITY);
    return {
      id: v.id, name: v.name, parallelism: v.parallelism, status: this.vertexStatus(es),
      recordsIn: sum((x) => x.recordsIn), recordsOut: sum((x) => x.recordsOut),
      backpressureRatio: bp, backpressureLevel: bp > 0.5 ? 'high' : bp > 0.1 ? 'low' : 'ok',
      busyRatio: m.length ? sum((x) => x.busyRatio) / m.length : 0,
      inputWatermark: wms.length === v.parallelism ? wmOut(Math.min(...wms)) : null,
      latencyP99Ms: mergedP99(m.map((x) => x?.latencyHistogram)) ?? null,
      subtasks: es.map((e) => ({
        index: e.subtaskIndex, state: e.state, taskManagerId: e.taskManagerId, recordsIn: e.metrics?.recordsIn ?? 0,
        recordsOut: e.metrics?.recordsOut ?? 0, backpressureRatio: e.metrics?.backpressureRatio ?? 0, inputWatermark: wmOut(e.metrics?.inputWatermark),
      })),
    };
  }
}
