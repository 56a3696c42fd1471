// One subtask of a job vertex: its operator chain, input gate and record writers, driven by a
// mailbox loop. The loop processes one buffer (or one source poll) at a time, drains the mailbox
// between buffers, yields to the event loop so other tasks of the slot and the network progress,
// waits on writer availability when backpressured and on input/mail when idle.

import { MAX_WATERMARK } from '../api/watermarks.ts';
import type { JobEdge, JobVertex } from '../graph/job-graph.ts';
import { keyGroupRangeFor, type KeyGroupRange } from '../graph/key-groups.ts';
import { BarrierAligner } from '../checkpoint/barrier-aligner.ts';
import { AsyncSnapshot, DEFAULT_SLICE_OPTIONS, type CapturedOperator, type SliceOptions } from '../checkpoint/async-snapshot.ts';
import type { StreamGraph } from '../graph/stream-graph.ts';
import { ACTIVE, BARRIER, DATA, END_OF_PARTITION, IDLE, LATENCY_MARKER, WATERMARK, type ChannelWriter, type StreamBuffer } from '../network/buffers.ts';
import { SourceOperator } from '../operators/source-operator.ts';
import { TimestampsAndWatermarksOperator } from '../operators/timestamps-operator.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import type { OperatorSnapshot } from '../state/state-file-format.ts';
import type { ProcessingTimeService } from '../state/timer-service.ts';
import { InputGate, type InputChannelInfo } from './input-gate.ts';
import { Mailbox } from './mailbox.ts';
import { ChainingOutput, NetworkOutput } from './network-output.ts';
import { SystemProcessingTimeService } from './processing-time.ts';
import { RecordWriter } from './record-writer.ts';
import { WatermarkValve } from './watermark-valve.ts';
import { LatencyHistogram, type SparseHistogram } from './latency-histogram.ts';
import { TaskConnectorMetrics } from '../connectors/metrics/task-connector-metrics.ts';
import type { ConnectorMetricsSnapshot } from '../connectors/metrics/connector-metric-group.ts';

export interface TaskOutputSpec {
  readonly edge: JobEdge;
  readonly targetParallelism: number;
  readonly channels: ChannelWriter[];
}

export interface TaskSpec {
  readonly jobId: string;
  readonly attempt: number;
  readonly graph: StreamGraph;
  readonly vertex: JobVertex;
  readonly subtaskIndex: number;
  readonly inputs: InputChannelInfo[];
  readonly outputs: TaskOutputSpec[];
  /** operator uid → snapshots to restore (one per previous subtask whose key groups overlap) */
  readonly restored?: Readonly<Record<string, OperatorSnapshot[]>>;
  readonly processingTimeService?: ProcessingTimeService;
  readonly batchMode?: boolean;
  /** Source tasks emit a latency marker this often (0 = off). */
  readonly latencyTrackingIntervalMs?: number;
  /** wall-clock start of this attempt (epoch ms): sources pace from it, sinks measure latency to it */
  readonly startTime?: number;
  /**
   * The attempt restores from a snapshot: a source subtask that got no state (a rescale to more
   * subtasks) must not start from the beginning.
   */
  readonly restoring?: boolean;
  /** Receives each snapshot once serialized; uploads it and acknowledges asynchronously. */
  readonly onCheckpoint?: (snapshot: TaskCheckpointSnapshot) => void;
  /** How the asynchronous part of a checkpoint slices its work (tests pass their own clock). */
  readonly snapshotSlices?: SliceOptions;
}

/** One operator's state in a checkpoint, as of the barrier (serialized after it, in slices). */
export interface OperatorStateBytes {
  readonly operatorUid: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** keyed operators: the key groups the state covers */
  readonly keyGroupRange?: KeyGroupRange;
  /** the state file's bytes (JSON lines, state/state-file-format.ts) */
  readonly chunks: Buffer[];
  /** source subtasks: their position (also inside bytes), shown in _metadata */
  readonly sourcePosition?: unknown;
}

export interface TaskCheckpointSnapshot {
  readonly checkpointId: number;
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly states: OperatorStateBytes[];
  /** time from the first barrier to the last (0 for sources) */
  readonly alignmentMs: number;
  /** time the task stood still for the checkpoint: capturing views of its state, not serializing it */
  readonly syncMs: number;
  /** time the task's thread spent serializing the state afterwards, in slices between records */
  readonly serializeMs: number;
  /** from the barrier to the last slice of serialization (wall time) */
  readonly serializeWallMs: number;
}

export interface CheckpointTriggerOptions {
  /** stop-with-savepoint --drain: sources emit the final watermark (all windows fire) before the barrier */
  readonly drain?: boolean;
}

export interface TaskMetrics {
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly inputWatermark: number;
  readonly outputWatermark: number;
  /** share of wall time spent waiting for output capacity, 0..1 */
  readonly backpressureRatio: number;
  readonly busyRatio: number;
  readonly backpressuredMs: number;
  readonly outputBacklog: number;
  readonly latencyP99Ms: number | undefined;
  readonly latencySamples: number;
  readonly latencyHistogram?: SparseHistogram;
  /** records, bytes and lag of the task's source and sink connectors (runtime/connectors/metrics) */
  readonly connectors?: ConnectorMetricsSnapshot[];
}

/** Thrown inside a task that was canceled; the slot reports the task CANCELED (Flink's spelling). */
export class TaskCanceledError extends Error {
  readonly code = 'MR_ERR_TASK_CANCELED';
}

const FLUSH_INTERVAL_MS = 5;
/**
 * Event-time timers fired per turn of the loop: a watermark that makes many windows due (e.g.
 * 50k (key, window) timers) fires them over several turns, flushing the results of each turn and
 * letting the slot's other tasks, the mailbox and the network progress in between (Flink's
 * interruptible timers). The task takes no input until all have fired; then the watermark moves on.
 */
export const TIMER_FIRING_BATCH = 1000;
const SOURCE_BATCH = 1000;
const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class StreamTask {
  readonly spec: TaskSpec;
  readonly name: string;
  readonly mailbox = new Mailbox();
  private readonly pts: ProcessingTimeService;
  private readonly ownPts: SystemProcessingTimeService | undefined;
  readonly operators: StreamOperator[];
  private readonly head: StreamOperator;
  private readonly writers: RecordWriter[];
  private readonly output: NetworkOutput;
  private readonly gate: InputGate;
  private readonly valve: WatermarkValve;
  private canceled = false;
  private cancelWake: (() => void) | undefined;
  private readonly cancelPromise: Promise<void>;
  private recordsIn = 0;
  private backpressuredMs = 0;
  /** start of the wait in progress: a long wait counts in every metrics window it spans */
  private backpressuredSince: number | undefined;
  private busyMs = 0;
  private lastFlush = 0;
  private idleEmitted = false;
  /** the head operator has due event-time timers left to fire (see TIMER_FIRING_BATCH) */
  private firingTimers = false;
  readonly latency = new LatencyHistogram();
  readonly connectorMetrics = new TaskConnectorMetrics();
  private markerTarget = 0;
  private window = { at: performance.now(), bp: 0, busy: 0, bpRatio: 0, busyRatio: 0 };
  private readonly aligner: BarrierAligner;
  /** highest checkpoint this task snapshotted (sources ignore older triggers) */
  lastCheckpointId = 0;
  /** snapshots whose state is still being serialized, by checkpoint id */
  private readonly inFlight = new Map<number, AsyncSnapshot>();

  constructor(spec: TaskSpec) {
    this.spec = spec;
    this.name = `${spec.vertex.name} (${spec.subtaskIndex + 1}/${spec.vertex.parallelism})`;
    if (spec.processingTimeService) this.pts = spec.processingTimeService;
    else {
      this.ownPts = new SystemProcessingTimeService(this.mailbox);
      this.pts = this.ownPts;
    }
    this.cancelPromise = new Promise((resolve) => {
      this.cancelWake = resolve;
    });
    const v = spec.vertex;
    const writerFor = (o: TaskOutputSpec): RecordWriter => {
      const se = spec.graph.edges[o.edge.id]!;
      const targetNode = spec.graph.node(se.targetId);
      const mp = targetNode.maxParallelism ?? spec.graph.maxParallelism;
      return new RecordWriter(o.channels, o.edge.partitioner, se.partitioner.key, mp, spec.subtaskIndex);
    };
    const main: RecordWriter[] = [];
    const sides = new Map<string, RecordWriter[]>();
    for (const o of spec.outputs) {
      const w = writerFor(o);
      if (o.edge.sideOutputTag === undefined) main.push(w);
      else sides.set(o.edge.sideOutputTag, [...(sides.get(o.edge.sideOutputTag) ?? []), w]);
    }
    this.output = new NetworkOutput(main, sides);
    this.writers = this.output.all;
    this.operators = v.chain.map((id) => spec.graph.node(id).createOperator());
    this.head = this.operators[0]!;
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
    this.gate = new InputGate(spec.inputs);
    this.valve = new WatermarkValve(spec.inputs.map((c) => c.inputIndex));
    this.aligner = new BarrierAligner(spec.inputs.length);
  }

  /** Runs the task to the end of its input; rejects on failure or cancellation. */
  async run(): Promise<void> {
    try {
      for (let i = 0; i < this.operators.length; i++) {
        const uid = this.spec.graph.node(this.spec.vertex.chain[i]!).uid;
        this.operators[i]!.initializeState(this.spec.restored?.[uid] ?? []);
      }
      for (const op of this.operators) await op.open();
      if (this.head instanceof SourceOperator) {
        this.head.watermarkIntervalMs = this.spec.graph.autoWatermarkIntervalMs;
        await this.runSource(this.head);
      }
      else await this.runInputs();
      this.checkCanceled();
      for (const op of this.operators) await op.finish();
      for (const w of this.writers) w.broadcastEvent(END_OF_PARTITION);
      // all our buffers must leave before we report FINISHED
      for (const w of this.writers) await Promise.race([w.waitAvailable(), this.cancelPromise]);
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

  /** Source tasks: take a checkpoint between two polls and send its barrier downstream. */
  triggerCheckpoint(checkpointId: number, options: CheckpointTriggerOptions = {}): void {
    this.mailbox.put(() => {
      if (checkpointId <= this.lastCheckpointId || !(this.head instanceof SourceOperator)) return;
      if (options.drain) this.head.emitFinalWatermark();
      this.performCheckpoint(checkpointId, 0);
    });
  }

  /** The checkpoint completed everywhere: operators commit (two-phase-commit sinks); `thenStop` ends the task (stop-with-savepoint). */
  notifyCheckpointComplete(checkpointId: number, thenStop = false): void {
    this.mailbox.put(() => {
      for (const op of this.operators) op.notifyCheckpointComplete(checkpointId);
      if (thenStop) this.cancel();
    });
  }

  /**
   * The synchronous part of a checkpoint: every operator of the chain captures its state as of
   * now (views, no copies: O(key groups + timer timestamps), see state/table-view.ts), then the
   * barrier goes on. The state is serialized asynchronously in slices while the task goes on
   * processing, then handed over for the upload and acknowledgement.
   */
  private performCheckpoint(checkpointId: number, alignmentMs: number): void {
    const t0 = performance.now();
    this.lastCheckpointId = checkpointId;
    const captured: CapturedOperator[] = [];
    const v = this.spec.vertex;
    this.operators.forEach((op, i) => {
      const node = this.spec.graph.node(v.chain[i]!);
      const capture = op.captureState(checkpointId);
      if (capture.isEmpty) return;
      captured.push({
        operatorUid: node.uid, parallelism: v.parallelism, maxParallelism: op.ctx.maxParallelism,
        ...(op.backend ? { keyGroupRange: op.ctx.keyGroupRange } : {}),
        ...(op instanceof SourceOperator && capture.operatorState !== undefined ? { sourcePosition: capture.operatorState } : {}),
        capture,
      });
    });
    for (const w of this.writers) w.broadcastEvent(BARRIER, checkpointId);
    const syncMs = performance.now() - t0;
    const snapshot = new AsyncSnapshot(checkpointId, captured, this.spec.snapshotSlices ?? DEFAULT_SLICE_OPTIONS);
    this.inFlight.set(checkpointId, snapshot);
    // sinks whose pre-commit finishes asynchronously (Kafka transactions) hold the acknowledgement back
    const flushes = this.operators.map((op) => op.checkpointFlush(checkpointId)).filter((f) => f !== undefined);
    snapshot.run().then(async (states) => (flushes.length > 0 ? Promise.all(flushes).then(() => states) : states)).then((states) => {
      if (this.inFlight.get(checkpointId) === snapshot) this.inFlight.delete(checkpointId);
      if (states === undefined) return; // abandoned
      this.spec.onCheckpoint?.({
        checkpointId, vertexId: v.id, subtaskIndex: this.spec.subtaskIndex, states, alignmentMs, syncMs,
        serializeMs: snapshot.busyMs, serializeWallMs: performance.now() - t0,
      });
    }, (err: unknown) => {
      if (this.inFlight.get(checkpointId) === snapshot) this.inFlight.delete(checkpointId);
      // state that cannot be serialized fails the task, as a synchronous snapshot did
      this.mailbox.put(() => {
        throw new Error(`MR_ERR_SNAPSHOT_SERIALIZE: task ${this.name} could not serialize its state for checkpoint ${checkpointId}: ${(err as Error).message}; keep state values JSON-serializable`, { cause: err });
      });
    });
  }

  /**
   * The checkpoint was aborted (or declined elsewhere): its serialization stops and the copies
   * kept for it are freed. The coordinator runs one checkpoint at a time, but this task keeps
   * any number in flight, so a newer barrier does not abandon an older snapshot by itself.
   */
  abortCheckpoint(checkpointId: number): void {
    const s = this.inFlight.get(checkpointId);
    if (!s) return;
    this.inFlight.delete(checkpointId);
    s.abandon();
  }

  /** Checkpoints whose state is still being serialized (tests, metrics). */
  checkpointsInFlight(): number[] {
    return [...this.inFlight.keys()];
  }

  private onBarrier(channel: number, checkpointId: number): void {
    const step = this.aligner.onBarrier(channel, checkpointId);
    if (this.aligner.aborted.length > 0) {
      this.aligner.aborted.length = 0;
      this.gate.unblockAll();
    }
    if (step.kind === 'block') this.gate.block(channel);
    else if (step.kind === 'complete') {
      this.performCheckpoint(step.checkpointId, step.alignmentMs);
      this.gate.unblockAll();
    }
  }

  cancel(): void {
    this.canceled = true;
    for (const id of [...this.inFlight.keys()]) this.abortCheckpoint(id);
    this.cancelWake?.();
    this.mailbox.interrupt();
    this.gate.interrupt();
  }

  private checkCanceled(): void {
    if (this.canceled) throw new TaskCanceledError(`task ${this.name} was canceled`);
  }

  private async waitWriters(): Promise<void> {
    const t0 = performance.now();
    this.backpressuredSince = t0;
    for (const w of this.writers) {
      if (!w.isAvailable()) await Promise.race([w.waitAvailable(), this.cancelPromise]);
    }
    this.backpressuredSince = undefined;
    this.backpressuredMs += performance.now() - t0;
  }

  private writersAvailable(): boolean {
    for (const w of this.writers) if (!w.isAvailable()) return false;
    return true;
  }

  private writersHoldRecords(): boolean {
    for (const w of this.writers) if (w.hasBufferedRecords()) return true;
    return false;
  }

  private flushAll(now: number): void {
    this.lastFlush = now;
    for (const w of this.writers) w.flush();
  }

  private async runSource(src: SourceOperator): Promise<void> {
    const latencyEvery = this.spec.latencyTrackingIntervalMs ?? 0;
    let nextMarker = latencyEvery > 0 ? Date.now() + latencyEvery : Number.POSITIVE_INFINITY;
    const batchMode = this.spec.batchMode === true;
    for (;;) {
      this.checkCanceled();
      this.mailbox.drain();
      if (!this.writersAvailable()) {
        this.flushAll(performance.now());
        await this.waitWriters();
        continue;
      }
      const t0 = performance.now();
      const before = src.recordsEmitted;
      const status = src.reader.pollNext(src, SOURCE_BATCH);
      const emitted = src.recordsEmitted - before;
      this.recordsIn += emitted;
      if (!batchMode) {
        const transition = src.afterPoll(emitted);
        if (transition) for (const w of this.writers) w.broadcastEvent(transition === 'idle' ? IDLE : ACTIVE);
      }
      this.runPeriodicWatermarks();
      const t1 = performance.now();
      this.busyMs += t1 - t0;
      // like Flink's buffer timeout: a rate-limited source emits a few records per poll, and a
      // frame (plus a credit frame back) per poll and channel cost more CPU than the records
      if (t1 - this.lastFlush >= FLUSH_INTERVAL_MS) this.flushAll(t1);
      if (latencyEvery > 0 && Date.now() >= nextMarker) {
        nextMarker = Date.now() + latencyEvery;
        this.forwardLatencyMarker(Date.now());
      }
      if (status === 'end') {
        src.emitFinalWatermark();
        return;
      }
      if (status === 'wait') {
        const wait = src.reader.available?.() ?? yieldNow();
        // records polled since the last flush leave by the flush deadline, however long the wait
        const flushIn = FLUSH_INTERVAL_MS - (performance.now() - this.lastFlush);
        const flushDeadline = this.writersHoldRecords() ? sleep(Math.max(0, flushIn)) : undefined;
        await Promise.race(flushDeadline ? [wait, flushDeadline, this.mailbox.available(), this.cancelPromise] : [wait, this.mailbox.available(), this.cancelPromise]);
      } else {
        await yieldNow();
      }
    }
  }

  private runPeriodicWatermarks(): void {
    for (const op of this.operators) if (op instanceof TimestampsAndWatermarksOperator) op.emitPeriodicWatermark();
  }

  private async runInputs(): Promise<void> {
    const head = this.head;
    const hasAssigner = this.operators.some((o) => o instanceof TimestampsAndWatermarksOperator);
    for (;;) {
      this.checkCanceled();
      this.mailbox.drain();
      if (!this.writersAvailable()) {
        this.flushAll(performance.now());
        await this.waitWriters();
        continue;
      }
      if (this.firingTimers) {
        const t0 = performance.now();
        this.firingTimers = !head.continueWatermark(TIMER_FIRING_BATCH);
        const t1 = performance.now();
        this.busyMs += t1 - t0;
        this.flushAll(t1);
        await yieldNow();
        continue;
      }
      const buf = this.gate.poll();
      if (buf === undefined) {
        if (this.gate.allEnded) return;
        this.flushAll(performance.now());
        await Promise.race([this.gate.available(), this.mailbox.available(), this.cancelPromise]);
        continue;
      }
      const t0 = performance.now();
      this.process(buf, this.gate.lastChannel, head);
      if (hasAssigner) this.runPeriodicWatermarks();
      const t1 = performance.now();
      this.busyMs += t1 - t0;
      // a timer burst's first results leave at once rather than up to FLUSH_INTERVAL_MS later
      if (this.firingTimers || t1 - this.lastFlush >= FLUSH_INTERVAL_MS) this.flushAll(t1);
      if (this.gate.allEnded && !this.firingTimers) return;
      await yieldNow();
    }
  }

  private process(buf: StreamBuffer, channel: number, head: StreamOperator): void {
    switch (buf.kind) {
      case DATA: {
        const vs = buf.values;
        const ts = buf.timestamps;
        const n = vs.length;
        this.recordsIn += n;
        if (this.spec.inputs[channel]!.inputIndex === 0) for (let i = 0; i < n; i++) head.processElement(vs[i], ts[i]!);
        else for (let i = 0; i < n; i++) head.processElement2(vs[i], ts[i]!);
        return;
      }
      case WATERMARK: {
        const wm = this.valve.onWatermark(channel, buf.value);
        if (wm !== undefined) this.advanceHeadWatermark(head, wm, this.spec.inputs[channel]!.inputIndex);
        this.maybeActive();
        return;
      }
      case IDLE:
      case ACTIVE: {
        const wm = this.valve.onIdle(channel, buf.kind === IDLE);
        if (wm !== undefined) this.advanceHeadWatermark(head, wm, this.spec.inputs[channel]!.inputIndex);
        if (this.valve.allIdle() && !this.idleEmitted) {
          this.idleEmitted = true;
          for (const w of this.writers) w.broadcastEvent(IDLE);
        } else this.maybeActive();
        return;
      }
      case LATENCY_MARKER:
        if (this.writers.length === 0) this.latency.record(Date.now() - buf.value);
        else this.forwardLatencyMarker(buf.value);
        return;
      case BARRIER:
        this.onBarrier(channel, buf.value);
        return;
      case END_OF_PARTITION: {
        const step = this.aligner.onEndOfPartition(channel);
        if (step?.kind === 'complete') {
          this.performCheckpoint(step.checkpointId, step.alignmentMs);
          this.gate.unblockAll();
        }
        return;
      }
      default:
        throw new Error(`MR_ERR_UNKNOWN_EVENT: buffer kind ${buf.kind}`);
    }
  }

  private advanceHeadWatermark(head: StreamOperator, wm: number, inputIndex: number): void {
    if (!head.processWatermark(wm, inputIndex, TIMER_FIRING_BATCH)) this.firingTimers = true;
  }

  private maybeActive(): void {
    if (this.idleEmitted && !this.valve.allIdle()) {
      this.idleEmitted = false;
      for (const w of this.writers) w.broadcastEvent(ACTIVE);
    }
  }

  /** Markers go to one channel per writer (rotating), like Flink, so they sample every path. */
  private forwardLatencyMarker(created: number): void {
    if (this.writers.length === 0) {
      this.latency.record(Date.now() - created);
      return;
    }
    this.markerTarget++;
    for (const w of this.writers) w.sendEventTo(this.markerTarget % w.channels.length, LATENCY_MARKER, created);
  }

  inputWatermark(): number {
    if (this.head instanceof SourceOperator) return this.head.currentSourceWatermark();
    return this.spec.inputs.length === 0 ? MAX_WATERMARK : Math.min(this.valve.inputWatermark(0), this.spec.vertex.inputs.some((e) => e.inputIndex === 1) ? this.valve.inputWatermark(1) : MAX_WATERMARK);
  }

  /** Backpressure and busy shares over the last interval (≥ 250 ms), like Flink's per-second gauges. */
  private recentRatios(): { bp: number; busy: number } {
    const now = performance.now();
    const w = this.window;
    if (now - w.at >= 250) {
      const dt = now - w.at;
      const bp = this.backpressuredMs + (this.backpressuredSince === undefined ? 0 : now - this.backpressuredSince);
      this.window = { at: now, bp, busy: this.busyMs, bpRatio: Math.min(1, Math.max(0, (bp - w.bp) / dt)), busyRatio: Math.min(1, (this.busyMs - w.busy) / dt) };
    }
    return { bp: this.window.bpRatio, busy: this.window.busyRatio };
  }

  metrics(): TaskMetrics {
    const recent = this.recentRatios();
    let out = 0;
    let backlog = 0;
    for (const w of this.writers) {
      out += w.recordsOut;
      backlog += w.backlog();
    }
    return {
      vertexId: this.spec.vertex.id, subtaskIndex: this.spec.subtaskIndex, recordsIn: this.recordsIn, recordsOut: out,
      inputWatermark: this.inputWatermark(), outputWatermark: this.output.outputWatermark,
      backpressureRatio: recent.bp, busyRatio: recent.busy, backpressuredMs: this.backpressuredMs,
      outputBacklog: backlog, latencyP99Ms: this.latency.p99(), latencySamples: this.latency.count,
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
