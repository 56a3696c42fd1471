// Issue 12, Kafka: a Kafka → map → Kafka job with the exactly-once sink, on a local cluster of
// real processes (`millrace jobmanager` + 2 `millrace taskmanager`, test/recovery's harness),
// survives two TaskManager SIGKILLs while its input is still being produced, then a stop with a
// savepoint and a restore at parallelism 1 (scale down), then again a savepoint and a restore at
// parallelism 2 (scale up: the new subtask takes partitions and reads). A read_committed consumer
// then sees every input record exactly once in the output: nothing lost, nothing duplicated.
// Checkpoints and savepoints go to a local directory (no S3 needed), checkpoints every second.

import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineJob } from '../../../runtime/api/environment.ts';
import { collectSink } from '../../../runtime/connectors/collect-sink.ts';
import { kafkaSource } from '../../../runtime/connectors/kafka/source.ts';
import { executeLocally } from '../../../runtime/local/local-executor.ts';
import { JobApi, describeJob } from '../../recovery/support/job-api.ts';
import { checkpointArgs } from '../../recovery/support/jobmanager-args.ts';
import { RecoveryCluster } from '../../recovery/support/recovery-cluster.ts';
import { testLog } from '../../recovery/support/test-log.ts';
import { useKafka } from '../../services/kafka/environment.ts';
import { javaReadCommitted } from './java-reader.ts';
import { createTopic, produce, readCommitted, uniqueTopic } from './kafka-admin.ts';

jest.setTimeout(300_000);
const JOB = fileURLToPath(new URL('./fixtures/kafka-copy.ts', import.meta.url));
const PARTITIONS = 3;
const PER_PARTITION = 4000;
const TOTAL = PARTITIONS * PER_PARTITION;

describe('Kafka exactly-once under TaskManager kills', () => {
  const log = testLog('kafka-exactly-once');
  let dir: string;
  let cluster: RecoveryCluster | undefined;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kafka-exactly-once-'));
  });
  afterAll(async () => {
    await cluster?.stop();
    if (process.env.MILLRACE_KEEP_TEST_DIR) process.stderr.write(`kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  });

  test('two TaskManager SIGKILLs while input arrives, a savepoint restored at parallelism 1, then one restored at parallelism 2: the committed output holds every input record exactly once, and both new subtasks read', async () => {
    const { bootstrap } = await useKafka();
    const input = uniqueTopic('eo-in');
    const output = uniqueTopic('eo-out');
    await createTopic(bootstrap, input, PARTITIONS);
    await createTopic(bootstrap, output, 2);

    cluster = await new RecoveryCluster({
      taskManagers: 2, slotsPerTaskManager: 1, logDir: path.join(dir, 'logs'), restartDelayMs: 500, log,
      jobManagerArgs: checkpointArgs({ storage: path.join(dir, 'checkpoints'), namespace: 'kafka', deployment: 'exactly-once', intervalMs: 1000, retained: 3, tolerableFailed: 20 }),
    }).start();
    const api = new JobApi(cluster.restUrl);
    const params = { bootstrap, in: input, out: output, prefix: output, partitions: String(PARTITIONS), perPartition: String(PER_PARTITION) };
    const id = await api.submit({ jobUrl: JOB, parallelism: 2, restartStrategy: 'fixed-delay:attempts=20,delayMs=200', params });

    // Input arrives in small slices over ~20 s while the job runs, so every kill hits a job that is
    // reading and writing (records after the last checkpoint get replayed). The last third is held
    // back until both kills happened and the job was stopped with a savepoint, so the bounded job
    // cannot finish before them.
    await api.waitForCheckpoints(id, 'a first checkpoint', (c) => (c.latest.completed?.id ?? 0) > 0, 60_000);
    let produced = 0;
    const produceUpTo = async (end: number, slice: number, pauseMs: number) => {
      while (produced < end) {
        const from = produced;
        produced = Math.min(end, produced + slice);
        await produce(bootstrap, input, Array.from({ length: produced - from }, (_, j) => ({ value: JSON.stringify({ id: from + j }), partition: (from + j) % PARTITIONS })));
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    };
    const firstPart = produceUpTo((TOTAL * 2) / 3, 160, 400);

    for (const tm of [0, 1]) {
      // a checkpoint completed since the last recovery, so the kill's recovery restores from one
      const before = (await api.checkpoints(id)).latest.completed?.id ?? 0;
      await api.waitForCheckpoints(id, `a checkpoint after ${before}`, (c) => (c.latest.completed?.id ?? 0) > before, 60_000).catch((error: Error) => {
        throw new Error(`${error.message}\nJobManager log:\n${cluster!.logTail('jobmanager', 30)}`);
      });
      log(`killing taskmanager-${tm} (pid ${cluster.killTaskManager(tm)}) with ${produced} of ${TOTAL} records produced`);
      await api.waitForJob(id, 'running again', (s) => s.state === 'RUNNING' && s.restarts > tm, 120_000);
      log(`job running again with ${produced} records produced`);
    }
    await firstPart;
    // stop with a savepoint and restore it at parallelism 1: the source's positions are union
    // state, so the one subtask takes every partition with its offset, and the sink's open
    // transactions of both old subtasks are settled; the rest arrives after the restore
    const location = await api.savepointLocation(id, await api.stopWithSavepoint(id, {}));
    const stopped = await api.waitForJob(id, 'FINISHED after the stop', (s) => s.state === 'FINISHED', 60_000);
    log(`stopped with savepoint ${location} after ${stopped.restarts} restarts: ${describeJob(stopped)}`);
    expect(stopped.restarts).toBeGreaterThanOrEqual(2);
    expect((await api.checkpoints(id)).counts.restored).toBeGreaterThanOrEqual(1);
    const second = await api.submit({ jobUrl: JOB, parallelism: 1, restartStrategy: 'fixed-delay:attempts=20,delayMs=200', savepointPath: location, params });
    const scaledDown = await api.waitForJob(second, 'RUNNING at parallelism 1', (s) => s.state === 'RUNNING', 60_000);
    expect(scaledDown.vertices.map((v) => v.parallelism)).toEqual(scaledDown.vertices.map(() => 1));
    expect((await api.checkpoints(second)).latest.restored).toMatchObject({ is_savepoint: true });
    await produceUpTo((TOTAL * 5) / 6, 1000, 0);
    // a checkpoint of the parallelism-1 job, then its savepoint holds one subtask's positions of all partitions
    await api.waitForCheckpoints(second, 'a checkpoint at parallelism 1', (c) => c.counts.completed > 0, 60_000);
    const location1 = await api.savepointLocation(second, await api.stopWithSavepoint(second, {}));
    log(`parallelism-1 job stopped with savepoint ${location1}: ${describeJob(await api.waitForJob(second, 'FINISHED after the stop', (s) => s.state === 'FINISHED', 60_000))}`);
    // scale up 1 -> 2 through the real job path: each subtask gets the union of positions and keeps
    // the partitions KafkaSource's assignment rule gives it at parallelism 2; the last sixth arrives after it
    const third = await api.submit({ jobUrl: JOB, parallelism: 2, restartStrategy: 'fixed-delay:attempts=20,delayMs=200', savepointPath: location1, params });
    await api.waitForJob(third, 'RUNNING at parallelism 2', (s) => s.state === 'RUNNING', 60_000);
    const lastPartFrom = produced;
    await produceUpTo(TOTAL, 1000, 0);
    const done = await api.waitForJob(third, 'FINISHED', (s) => s.state === 'FINISHED', 180_000).catch((error: Error) => {
      throw new Error(`${error.message}\nJobManager log:\n${cluster!.logTail('jobmanager', 40)}`);
    });
    log(`job restored at parallelism 2 FINISHED: ${describeJob(done)}`);
    expect(done.vertices.map((v) => v.parallelism)).toEqual(done.vertices.map(() => 2));
    expect((await api.checkpoints(third)).latest.restored).toMatchObject({ is_savepoint: true });

    // Kafka's own Java consumer is the judge (the Node client's read_committed filter can let an
    // aborted transaction through when its abort marker falls into a later fetch)
    const out = await javaReadCommitted(bootstrap, output, { count: TOTAL, timeoutMs: 30_000, idleMs: 2000 });
    const records = out.map((v) => JSON.parse(v) as { id: number; copied: boolean; subtask: number });
    const ids = records.map((r) => r.id);
    // records produced after the scale-up were read by both subtasks of the parallelism-2 job
    const lastReaders = new Set(records.filter((r) => r.id >= lastPartFrom).map((r) => r.subtask));
    expect([...lastReaders].sort()).toEqual([0, 1]);
    log(`Java read_committed consumer: ${ids.length} records; Node client's consumer: ${(await readCommitted(bootstrap, output, { count: TOTAL, timeoutMs: 20_000, idleMs: 1000 })).length}`);
    // the connector's own source (its read_committed filter) reads what the Java consumer reads
    const viaSource: Array<{ id: number }> = [];
    await executeLocally(defineJob({
      name: 'read-output',
      build: (env) => env.fromSource(kafkaSource<{ id: number }>({ bootstrapServers: bootstrap, topics: [output], stoppingOffsets: 'latest' })).sinkTo(collectSink(viaSource)),
    })).done;
    expect(viaSource.map((e) => e.id).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    const seen = new Map<number, number>();
    for (const i of ids) seen.set(i, (seen.get(i) ?? 0) + 1);
    const duplicated = [...seen].filter(([, n]) => n > 1).map(([i]) => i);
    const lost = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => !seen.has(i));
    expect({ lost: lost.slice(0, 10), lostCount: lost.length, duplicated: duplicated.slice(0, 10), duplicatedCount: duplicated.length }).toEqual({ lost: [], lostCount: 0, duplicated: [], duplicatedCount: 0 });
    expect(ids).toHaveLength(TOTAL);
  });
});
