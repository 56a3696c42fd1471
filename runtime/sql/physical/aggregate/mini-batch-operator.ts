// The bundle mechanics of Flink's mini-batch operators (MapBundleOperator): rows are buffered
// and applied as one batch when it holds `size` rows, when `latencyMs` has passed since its first
// row (a processing-time callback), at the end of the input, and
// before every checkpoint: the task captures its operators head first and sends the barrier after
// them, so flushing in captureState puts every buffered row, and what it emits to the operators
// chained after this one, inside the checkpoint (Flink's prepareSnapshotPreBarrier). The buffer is
// therefore never part of a snapshot.
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import { StreamOperator } from '../../../operators/stream-operator.ts';
import type { OperatorSnapshot } from '../../../state/state-file-format.ts';
import type { OperatorStateCapture } from '../../../state/snapshot-part.ts';

export interface BundleTrigger {
  /** `table.exec.mini-batch.allow-latency` in ms */
  readonly latencyMs: number;
  /** `table.exec.mini-batch.size` in rows */
  readonly size: number;
}

export abstract class MiniBatchOperator extends StreamOperator {
  private readonly trigger: BundleTrigger;
  private buffered = 0;
  private cancelTimer: (() => void) | undefined;
  private heldWatermark: number | undefined;
  /** the timestamp of the latest row: what the bundle's output rows carry */
  protected timestamp = 0;

  constructor(keyed: boolean, trigger: BundleTrigger) {
    super(keyed);
    this.trigger = trigger;
  }

  /** Adds one row to the current bundle. */
  protected abstract addToBundle(row: ChangelogRow): void;
  /** Applies and empties the bundle (emits through `this.output`). */
  protected abstract finishBundle(): void;

  processElement(value: unknown, timestamp: number): void {
    this.timestamp = timestamp;
    this.addToBundle(value as ChangelogRow);
    if (++this.buffered >= this.trigger.size) {
      this.flush();
      return;
    }
    if (this.cancelTimer === undefined) {
      const pts = this.ctx.processingTimeService;
      this.cancelTimer = pts.schedule(pts.now() + this.trigger.latencyMs, () => {
        this.cancelTimer = undefined;
        this.flush();
      });
    }
  }

  /** Applies what is buffered now. */
  flush(): void {
    if (this.cancelTimer !== undefined) {
      this.cancelTimer();
      this.cancelTimer = undefined;
    }
    if (this.buffered > 0) {
      this.buffered = 0;
      this.finishBundle();
    }
    const wm = this.heldWatermark;
    if (wm !== undefined) {
      this.heldWatermark = undefined;
      super.processWatermark(wm); // no timers here: forwarded at once
    }
  }

  /**
   * A watermark that comes while rows are buffered waits for the batch (as Flink's
   * MiniBatchAssigner holds watermarks to its interval): rows before it stay before it, and a
   * periodic watermark does not cut every batch short.
   */
  override processWatermark(wm: number, inputIndex = 0, timerLimit = Number.POSITIVE_INFINITY): boolean {
    if (this.buffered === 0) return super.processWatermark(wm, inputIndex, timerLimit);
    if (this.heldWatermark === undefined || wm > this.heldWatermark) this.heldWatermark = wm;
    return true;
  }

  override captureState(checkpointId: number): OperatorStateCapture {
    this.flush();
    return super.captureState(checkpointId);
  }

  override snapshotState(checkpointId: number): OperatorSnapshot {
    this.flush();
    return super.snapshotState(checkpointId);
  }

  override finish(): void {
    this.flush();
  }

  override close(): void | Promise<void> {
    if (this.cancelTimer !== undefined) this.cancelTimer();
    this.cancelTimer = undefined;
    return super.close();
  }
}
