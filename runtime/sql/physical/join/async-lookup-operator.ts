// The operator of a lookup join (Flink's AsyncWaitOperator in ORDERED mode, as Flink's async
// lookup joins run by default): each row's probe may answer at once (an in-memory side input) or
// with a promise (a database). Results leave in input order: a row whose probe is still running
// holds back the rows and watermarks behind it. A promise's result is handed to the task's
// mailbox (the processing-time service), so output is emitted on the task's own turn. Rows whose
// probe is in flight at a checkpoint are kept in the operator's state and probed again after a
// restore, so no row is lost or joined twice; end of input waits for every probe.
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import { StreamOperator } from '../../../operators/stream-operator.ts';
import { fromStateRow, toStateRow } from '../state-rows.ts';

export type Probe = (row: ChangelogRow) => ChangelogRow[] | Promise<ChangelogRow[]>;

type Entry =
  | { kind: 'row'; row: ChangelogRow; ts: number; out?: ChangelogRow[]; pending?: Promise<ChangelogRow[]>; emitted: boolean }
  | { kind: 'watermark'; wm: number; inputIndex: number };

interface PendingRow {
  k: ChangelogRow['kind'];
  v: unknown[];
  ts: number | null;
}

export class AsyncLookupOperator extends StreamOperator {
  private readonly probe: Probe;
  private readonly queue: Entry[] = [];
  private restored: PendingRow[] = [];

  constructor(probe: Probe) {
    super(false);
    this.probe = probe;
  }

  protected override restoreOperatorState(states: unknown[]): void {
    this.restored = states.flatMap((s) => s as PendingRow[]);
  }

  override open(): void {
    // rows whose probe was in flight at the checkpoint: probe them again
    const rows = this.restored;
    this.restored = [];
    for (const p of rows) this.processElement({ kind: p.k, values: fromStateRow(p.v) }, p.ts ?? Number.NaN);
  }

  processElement(value: unknown, ts: number): void {
    const row = value as ChangelogRow;
    const result = this.probe(row);
    if (!(result instanceof Promise)) {
      if (this.queue.length === 0) {
        for (const r of result) this.output.collect(r, ts);
        return;
      }
      this.queue.push({ kind: 'row', row, ts, out: result, emitted: false });
      return;
    }
    const entry: Extract<Entry, { kind: 'row' }> = { kind: 'row', row, ts, pending: result, emitted: false };
    this.queue.push(entry);
    const pts = this.ctx.processingTimeService;
    result.then(
      (out) => pts.schedule(pts.now(), () => {
        entry.out = out;
        this.drain();
      }),
      (err: unknown) => pts.schedule(pts.now(), () => {
        throw err instanceof Error ? err : new Error(String(err));
      }),
    );
  }

  override processWatermark(wm: number, inputIndex = 0, timerLimit = Number.POSITIVE_INFINITY): boolean {
    if (this.queue.length === 0) return super.processWatermark(wm, inputIndex, timerLimit);
    this.queue.push({ kind: 'watermark', wm, inputIndex });
    return true;
  }

  /** Emits, in order, every finished entry at the head of the queue. */
  private drain(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === 'watermark') {
        this.queue.shift();
        super.processWatermark(head.wm, head.inputIndex);
        continue;
      }
      if (head.out === undefined) return;
      this.queue.shift();
      this.emit(head);
    }
  }

  private emit(entry: Extract<Entry, { kind: 'row' }>): void {
    if (entry.emitted) return;
    entry.emitted = true;
    for (const r of entry.out ?? []) this.output.collect(r, entry.ts);
  }

  /** End of input: every probe answers, then the rest of the queue leaves in order. */
  override async finish(): Promise<void> {
    while (this.queue.length > 0) {
      const head = this.queue.shift()!;
      if (head.kind === 'watermark') {
        super.processWatermark(head.wm, head.inputIndex);
        continue;
      }
      if (head.out === undefined) head.out = await head.pending!;
      this.emit(head);
    }
  }

  protected override snapshotOperatorState(): unknown {
    const pending: PendingRow[] = [];
    for (const e of this.queue) {
      if (e.kind === 'row' && !e.emitted) pending.push({ k: e.row.kind, v: toStateRow(e.row.values), ts: Number.isNaN(e.ts) ? null : e.ts });
    }
    return pending.length === 0 ? undefined : pending;
  }
}
