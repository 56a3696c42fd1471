// The end of a pipeline: hands records to a SinkWriter.

import type { SinkWriter } from '../api/functions.ts';
import { StreamOperator } from './stream-operator.ts';

export class SinkOperator extends StreamOperator {
  readonly writer: SinkWriter<unknown>;
  constructor(writer: SinkWriter<unknown>) {
    super(false);
    this.writer = writer;
  }
  override async open(): Promise<void> {
    const latency = this.ctx.latency;
    await this.writer.open?.({
      subtaskIndex: this.ctx.subtaskIndex, parallelism: this.ctx.parallelism, attempt: this.ctx.attempt, jobId: this.ctx.jobId,
      startTime: this.ctx.startTime, recordLatency: (ms) => latency?.record(ms),
    });
  }
  processElement(value: unknown, ts: number): void {
    this.writer.write(value, Number.isNaN(ts) ? undefined : ts);
  }
  override async finish(): Promise<void> {
    await this.writer.finish?.();
  }
  override async close(): Promise<void> {
    await this.writer.close?.();
    super.close();
  }
}
