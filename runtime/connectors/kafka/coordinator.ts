// The few transaction-coordinator requests the exactly-once sink needs beyond the client's
// Producer: describe a transactional id (to commit a pre-committed transaction after a crash,
// Flink's "resume transaction"), commit it by producer id and epoch, and fence an id (which
// aborts what it left open). They go straight to the coordinator over one connection.

import { Connection, describeTransactionsV0, endTxnV4, findCoordinatorV6, FindCoordinatorKeyTypes, initProducerIdV5 } from '@platformatic/kafka';
import type { ConnectionOptions } from '@platformatic/kafka';

export interface TransactionDescription {
  /** Kafka's state name: Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, Dead, PrepareEpochFence */
  readonly state: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

export class TransactionCoordinator {
  private readonly clientId: string;
  private readonly bootstrap: readonly string[];
  private readonly options: ConnectionOptions;
  private readonly connections = new Map<string, Connection>();

  constructor(clientId: string, bootstrap: readonly string[], options: ConnectionOptions = {}) {
    this.clientId = clientId;
    this.bootstrap = bootstrap;
    this.options = options;
  }

  private async connection(hostPort: string): Promise<Connection> {
    let c = this.connections.get(hostPort);
    if (!c) {
      const i = hostPort.lastIndexOf(':');
      c = new Connection(this.clientId, this.options);
      await c.connect(hostPort.slice(0, i).replace(/^\[|\]$/g, ''), Number(hostPort.slice(i + 1)));
      this.connections.set(hostPort, c);
    }
    return c;
  }

  private async coordinatorOf(transactionalId: string): Promise<Connection> {
    let lastError: unknown;
    for (const b of this.bootstrap) {
      try {
        const found = await findCoordinatorV6.api.async(await this.connection(b), FindCoordinatorKeyTypes.TRANSACTION, [transactionalId]);
        const c = found.coordinators[0]!;
        return this.connection(`${c.host}:${c.port}`);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /**
   * Coordinator requests fail for a while on purpose (CONCURRENT_TRANSACTIONS while an abort
   * completes, COORDINATOR_LOAD_IN_PROGRESS after a broker restart): retried for up to ~30 s.
   */
  private async retrying<R>(what: string, op: () => Promise<R>): Promise<R> {
    let delay = 50;
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        return await op();
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`MR_ERR_KAFKA_TRANSACTION: ${what} failed: ${(error as Error).message}`, { cause: error });
        await this.close(); // the coordinator may have moved
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(1000, delay * 2);
      }
    }
  }

  async describe(transactionalId: string): Promise<TransactionDescription> {
    const r = await this.retrying(`describing transaction ${transactionalId}`, async () => describeTransactionsV0.api.async(await this.coordinatorOf(transactionalId), [transactionalId]));
    const s = r.transactionStates[0]!;
    return { state: s.transactionState, producerId: s.producerId, producerEpoch: s.producerEpoch };
  }

  async commit(transactionalId: string, producerId: bigint, producerEpoch: number): Promise<void> {
    await this.retrying(`committing transaction ${transactionalId}`, async () => endTxnV4.api.async(await this.coordinatorOf(transactionalId), transactionalId, producerId, producerEpoch, true));
  }

  /** InitProducerId: aborts the id's open transaction and fences its producers; returns the new epoch (0: the id was never used). */
  async fence(transactionalId: string, transactionTimeoutMs: number): Promise<number> {
    const r = await this.retrying(`fencing ${transactionalId}`, async () => initProducerIdV5.api.async(await this.coordinatorOf(transactionalId), transactionalId, transactionTimeoutMs, -1n, -1));
    return r.producerEpoch;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.connections.values()].map((c) => c.close()));
    this.connections.clear();
  }
}
