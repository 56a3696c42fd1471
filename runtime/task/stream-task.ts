// One subtask of a job vertex: its operator chain, input gate and record writers, driven by a
// mailbox loop. This file assembles the parts and owns the lifecycle (initializeState → open →
// loop → finish → end of partition → close) and the task's public interface; the parts are:
//   source-loop.ts / input-loop.ts   the loop of a source task / of a task with network inputs
//   input-processor.ts               one input buffer to the part that owns its kind
//   task-watermarks.ts               watermark valve, idleness, timer firing in batches
//   barrier-handler.ts               barrier alignment on the input gate
//   task-checkpoints.ts              capture, barrier, asynchronous serialization, abort
//   task-writers.ts, load-meter.ts   output capacity, flushing, busy/backpressure shares
//   latency-markers.ts, cancellation.ts

import type { StreamOperator } from '../operators/stream-operator.ts';
import { SourceOperator } from '../operators/source-operator.ts';
import { TimestampsAndWatermarksOperator } from '../operators/timestamps-operator.ts';
import { keyGroupRangeFor } from '../keys/key-groups.ts';
import { END_OF_PARTITION } from '../network/buffers.ts';
import type { OperatorSnapshot } from '../state/state-file-format.ts';
import type { ProcessingTimeService } from '../time/processing-time-service.ts';
import { systemClock, type Clock } from '../time/clock.ts';
import { TaskConnectorMetrics } from '../connectors/metrics/task-connector-metrics.ts';
import { BarrierHandler } from './barrier-handler.ts';
import { Cancellation } from './cancellation.ts';
import { InputGate } from './input-gate.ts';
import { InputLoop } from './input-loop.ts';
import { InputProcessor } from './input-processor.ts';
import { LatencyHistogram } from '../metrics/latency-histogram.ts';
import { LatencyMarkers } from './latency-markers.ts';
import { LoadMeter } from './load-meter.ts';
import type { LoopParts } from './loop-turn.ts';
import { Mailbox } from './mailbox.ts';
import { ChainingOutput, NetworkOutput } from './network-output.ts';
import { SystemProcessingTimeService } from './processing-time.ts';
import { RecordWriter } from './record-writer.ts';
import { SourceLoop } from './source-loop.ts';
import { TaskCheckpoints } from './task-checkpoints.ts';
import type { TaskMetrics } from '../metrics/task-metrics.ts';
import type { CheckpointTriggerOptions, TaskSpec } from './task-spec.ts';
import { TaskWatermarks } from './task-watermarks.ts';
import { TaskWriters } from './task-writers.ts';

// the task's public interface, as before the split
export type { CheckpointTriggerOptions, OperatorStateBytes, TaskCheckpointSnapshot, TaskOutputSpec, TaskSpec } from './task-spec.ts';
export type { TaskMetrics } from '../metrics/task-metrics.ts';
export { TaskCanceledError } from './cancellation.ts';
export { TIMER_FIRING_BATCH } from './task-watermarks.ts';

/** Durations inside the task (busy, backpressure, alignment, checkpoint phases). */
const monotonicClock: Clock = { now: () => performance.now() };

export class StreamTask {
  readonly spec: TaskSpec;
  readonly name: string;
  readonly mailbox = new Mailbox();
  readonly operators: StreamOperator[];
  readonly latency = new LatencyHistogram();
  readonly connectorMetrics = new TaskConnectorMetrics();
  private readonly pts: ProcessingTimeService;
  private readonly ownPts: SystemProcessingTimeService | undefined;
  private readonly head: StreamOperator;
  private readonly output: NetworkOutput;
  private readonly cancellation = new Cancellation();
  private readonly load = new LoadMeter(monotonicClock);
  private readonly writers: TaskWriters;
  private readonly markers: LatencyMarkers;
  private readonly gate: InputGate;
  private readonly watermarks: TaskWatermarks;
  private readonly checkpoints: TaskCheckpoints;
  private readonly processor: InputProcessor;
  private sourceLoop: SourceLoop | undefined;

  constructor(spec: TaskSpec) {
    this.spec = spec;
    const v = spec.vertex;
    this.name = `${v.name} (${spec.subtaskIndex + 1}/${v.parallelism})`;
    if (spec.processingTimeService) this.pts = spec.processingTimeService;
    else {
      this.ownPts = new SystemProcessingTimeService(this.mailbox);
      this.pts = this.ownPts;
    }
    this.output = this.createOutput();
    this.writers = new TaskWriters(this.output.all, monotonicClock, this.load, this.cancellation.promise);
    this.markers = new LatencyMarkers(this.output.all, this.latency, systemClock, spec.latencyTrackingIntervalMs ?? 0);
    this.operators = v.chain.map((id) => spec.graph.node(id).createOperator());
    this.head = this.operators[0]!;
    this.setupChain();
    const inputOf = spec.inputs.map((c) => c.inputIndex);
    this.gate = new InputGate(spec.inputs);
    this.watermarks = new TaskWatermarks(this.head, inputOf, v.inputs.some((e) => e.inputIndex === 1), this.writers);
    this.checkpoints = new TaskCheckpoints({
      taskName: this.name, vertexId: v.id, parallelism: v.parallelism, subtaskIndex: spec.subtaskIndex,
      operators: this.operators, uids: v.chain.map((id) => spec.graph.node(id).uid), barrierOut: this.writers,
      clock: monotonicClock, ...(spec.snapshotSlices ? { slices: spec.snapshotSlices } : {}),
      ...(spec.onCheckpoint ? { onCheckpoint: spec.onCheckpoint } : {}),
      runInTask: (action) => this.mailbox.put(action),
    });
    const barriers = new BarrierHandler(spec.inputs.length, this.gate, (id, alignmentMs) => this.checkpoints.perform(id, alignmentMs), monotonicClock);
    this.processor = new InputProcessor(this.head, inputOf, this.watermarks, barriers, this.markers);
  }

  /** Main and side outputs: one record writer per outgoing edge, partitioned for its target. */
  private createOutput(): NetworkOutput {
    const spec = this.spec;
    const main: RecordWriter[] = [];
    const sides = new Map<string, RecordWriter[]>();
    for (const o of spec.outputs) {
      const se = spec.graph.edges[o.edge.id]!;
      const mp = spec.graph.node(se.targetId).maxParallelism ?? spec.graph.maxParallelism;
      const w = new RecordWriter(o.channels, o.edge.partitioner, se.partitioner.key, mp, spec.subtaskIndex);
      if (o.edge.sideOutputTag === undefined) main.push(w);
      else sides.set(o.edge.sideOutputTag, [...(sides.get(o.edge.sideOutputTag) ?? []), w]);
    }
    return new NetworkOutput(main, sides);
  }

  /** Each operator of the chain writes into the next one; the last into the network. */
  private setupChain(): void {
    const spec = this.spec;
    const v = spec.vertex;
    for (let i = this.operators.length - 1; i >= 0; i--) {
      const node = spec.graph.node(v.chain[i]!);
      const out = i === this.operators.length - 1 ? this.output : new ChainingOutput(this.operators[i + 1]!);
      const mp = node.maxParallelism ?? spec.graph.maxParallelism;
      this.operators[i]!.setup({
        jobId: spec.jobId, attempt: spec.attempt, taskName: this.name, operatorName: node.name, uid: node.uid,
        subtaskIndex: spec.subtaskIndex, parallelism: v.parallelism, maxParallelism: mp,
        keyGroupRange: keyGroupRangeFor(mp, v.parallelism, spec.subtaskIndex), processingTimeService: this.pts,
        startTime: spec.startTime ?? Date.now(), latency: this.latency, restoring: spec.restoring === true,
        connectorMetrics: this.connectorMetrics,
      }, out);
    }
  }

  /** highest checkpoint this task snapshotted (sources ignore older triggers) */
  get lastCheckpointId(): number {
    return this.checkpoints.lastCheckpointId;
  }

  /** Runs the task to the end of its input; rejects on failure or cancellation. */
  async run(): Promise<void> {
    try {
      for (let i = 0; i < this.operators.length; i++) {
        const uid = this.spec.graph.node(this.spec.vertex.chain[i]!).uid;
        this.operators[i]!.initializeState(this.spec.restored?.[uid] ?? []);
      }
      for (const op of this.operators) await op.open();
      const parts: LoopParts = {
        taskName: this.name, mailbox: this.mailbox, cancellation: this.cancellation, writers: this.writers,
        load: this.load, clock: monotonicClock, periodicWatermarks: () => this.runPeriodicWatermarks(),
      };
      if (this.head instanceof SourceOperator) {
        this.head.watermarkIntervalMs = this.spec.graph.autoWatermarkIntervalMs;
        this.sourceLoop = new SourceLoop(parts, this.head, this.markers, this.spec.batchMode === true);
        await this.sourceLoop.run();
      } else {
        const hasAssigner = this.operators.some((o) => o instanceof TimestampsAndWatermarksOperator);
        await new InputLoop(parts, this.gate, this.processor, this.watermarks, hasAssigner).run();
      }
      this.cancellation.check(this.name);
      for (const op of this.operators) await op.finish();
      this.writers.broadcastEvent(END_OF_PARTITION);
      // all our buffers must leave before we report FINISHED
      await this.writers.drain();
    } finally {
      for (const op of this.operators) {
        try {
          await op.close();
        } catch {
          // close errors must not hide the original failure
        }
      }
      this.ownPts?.shutdown();
    }
  }

  private runPeriodicWatermarks(): void {
    for (const op of this.operators) if (op instanceof TimestampsAndWatermarksOperator) op.emitPeriodicWatermark();
  }

  /** Source tasks: take a checkpoint between two polls and send its barrier downstream. */
  triggerCheckpoint(checkpointId: number, options: CheckpointTriggerOptions = {}): void {
    this.mailbox.put(() => {
      if (checkpointId <= this.checkpoints.lastCheckpointId || !(this.head instanceof SourceOperator)) return;
      if (options.drain) this.head.emitFinalWatermark();
      this.checkpoints.perform(checkpointId, 0);
    });
  }

  /** The checkpoint completed everywhere: operators commit (two-phase-commit sinks); `thenStop` ends the task (stop-with-savepoint). */
  notifyCheckpointComplete(checkpointId: number, thenStop = false): void {
    this.mailbox.put(() => {
      for (const op of this.operators) op.notifyCheckpointComplete(checkpointId);
      if (thenStop) this.cancel();
    });
  }

  /** The checkpoint was aborted (or declined elsewhere): its serialization stops, its copies are freed. */
  abortCheckpoint(checkpointId: number): void {
    this.checkpoints.abort(checkpointId);
  }

  /** Checkpoints whose state is still being serialized (tests, metrics). */
  checkpointsInFlight(): number[] {
    return this.checkpoints.inFlightIds();
  }

  cancel(): void {
    this.cancellation.cancel();
    this.checkpoints.abortAll();
    this.mailbox.interrupt();
    this.gate.interrupt();
  }

  inputWatermark(): number {
    if (this.head instanceof SourceOperator) return this.head.currentSourceWatermark();
    return this.watermarks.inputWatermark();
  }

  metrics(): TaskMetrics {
    const recent = this.load.recentRatios();
    return {
      vertexId: this.spec.vertex.id, subtaskIndex: this.spec.subtaskIndex,
      recordsIn: this.processor.recordsIn + (this.sourceLoop?.recordsIn ?? 0), recordsOut: this.writers.recordsOut(),
      inputWatermark: this.inputWatermark(), outputWatermark: this.output.outputWatermark,
      backpressureRatio: recent.backpressure, busyRatio: recent.busy, backpressuredMs: this.load.backpressuredMs,
      outputBacklog: this.writers.backlog(), latencyP99Ms: this.latency.p99(), latencySamples: this.latency.count,
      ...(this.latency.count > 0 ? { latencyHistogram: this.latency.sparse() } : {}),
      connectors: this.connectorMetrics.snapshot(),
    };
  }

  /** Snapshot of every operator of the chain, by uid (used by checkpoints and harness tests). */
  snapshotState(checkpointId: number): Record<string, OperatorSnapshot> {
    const out: Record<string, OperatorSnapshot> = {};
    this.operators.forEach((op, i) => {
      out[this.spec.graph.node(this.spec.vertex.chain[i]!).uid] = op.snapshotState(checkpointId);
    });
    return out;
  }
}
