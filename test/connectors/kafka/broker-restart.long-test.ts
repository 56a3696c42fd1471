// Issue 12, Kafka: the broker itself goes away for a while under a running exactly-once
// Kafka → Kafka job. A private broker (own ports and data directory; the shared one is never
// stopped) is SIGKILLed, stays down 8 s and is started again on the same data; the job either rides it out or
// restarts from its last checkpoint. Kafka's Java consumer (read_committed) then sees every input
// record exactly once in the output. About two minutes on the 2-core machine, so not part of
// `npm test`: `npm run test:kafka-broker-restart`.

import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobApi, describeJob } from '../../recovery/support/job-api.ts';
import { checkpointArgs } from '../../recovery/support/jobmanager-args.ts';
import { RecoveryCluster } from '../../recovery/support/recovery-cluster.ts';
import { testLog } from '../../recovery/support/test-log.ts';
import { findRunningBroker, startBroker, stopBroker } from '../../services/kafka/broker.ts';
import { ensureKafkaJars } from '../../services/kafka/install.ts';
import { kafka, kafkaPaths, type BrokerRecord, type KafkaPaths } from '../../services/kafka/plan.ts';
import { javaReadCommitted } from './java-reader.ts';
import { createTopic, produce, uniqueTopic } from './kafka-admin.ts';

jest.setTimeout(300_000);
const JOB = fileURLToPath(new URL('./fixtures/kafka-copy.ts', import.meta.url));
const PARTITIONS = 2;
const PER_PARTITION = 3000;
const TOTAL = PARTITIONS * PER_PARTITION;

describe('Kafka exactly-once across a broker restart', () => {
  const log = testLog('kafka-broker-restart');
  let dir: string;
  let paths: KafkaPaths;
  let cluster: RecoveryCluster | undefined;
  let broker: BrokerRecord | undefined;
  // ports of the private broker and its controller (next port), away from the shared 19092/19093
  const port = 19192;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kafka-broker-restart-'));
    const state = path.join(dir, 'broker');
    paths = { ...kafkaPaths(), stateDir: state, dataDir: path.join(state, 'data'), configFile: path.join(state, 'server.properties'), log4jFile: path.join(state, 'log4j2.properties'), logFile: path.join(state, 'broker.log'), brokerFile: path.join(state, 'broker.json') };
  });
  afterAll(async () => {
    await cluster?.stop();
    const running = await findRunningBroker(paths.brokerFile);
    if (running) await stopBroker(running, paths.brokerFile);
    rmSync(dir, { recursive: true, force: true });
  });

  test('the broker SIGKILLed, down for 8 s and started again: the committed output holds every input record exactly once', async () => {
    const lib = await ensureKafkaJars(kafkaPaths().lib);
    const start = () => startBroker({ paths, lib, version: kafka.version, port, owner: 'broker-restart-test' });
    broker = await start();
    const bootstrap = `127.0.0.1:${port}`;
    const input = uniqueTopic('restart-in');
    const output = uniqueTopic('restart-out');
    await createTopic(bootstrap, input, PARTITIONS);
    await createTopic(bootstrap, output, 2);

    cluster = await new RecoveryCluster({
      taskManagers: 2, slotsPerTaskManager: 1, logDir: path.join(dir, 'logs'), restartDelayMs: 500, log,
      jobManagerArgs: checkpointArgs({ storage: path.join(dir, 'checkpoints'), namespace: 'kafka', deployment: 'broker-restart', intervalMs: 1000, retained: 3, tolerableFailed: 100 }),
    }).start();
    const api = new JobApi(cluster.restUrl);
    const id = await api.submit({
      jobUrl: JOB, parallelism: 2, restartStrategy: 'fixed-delay:attempts=100,delayMs=1000',
      params: { bootstrap, in: input, out: output, prefix: output, partitions: String(PARTITIONS), perPartition: String(PER_PARTITION) },
    });
    await api.waitForCheckpoints(id, 'a first checkpoint', (c) => (c.latest.completed?.id ?? 0) > 0, 60_000);

    const slice = (from: number, to: number) => Array.from({ length: to - from }, (_, j) => ({ value: JSON.stringify({ id: from + j }), partition: (from + j) % PARTITIONS }));
    for (let i = 0; i < TOTAL / 2; i += 300) await produce(bootstrap, input, slice(i, i + 300));
    const before = (await api.checkpoints(id)).latest.completed?.id ?? 0;
    await api.waitForCheckpoints(id, `a checkpoint after ${before}`, (c) => (c.latest.completed?.id ?? 0) > before, 60_000);

    log(`killing the broker (pid ${broker.pid}) with ${TOTAL / 2} of ${TOTAL} records produced`);
    await stopBroker(broker, paths.brokerFile, 0); // no grace: SIGKILL
    await new Promise((resolve) => setTimeout(resolve, 8000));
    broker = await start();
    log(`broker started again (pid ${broker.pid})`);
    for (let i = TOTAL / 2; i < TOTAL; i += 300) await produce(bootstrap, input, slice(i, i + 300));

    const done = await api.waitForJob(id, 'FINISHED', (s) => s.state === 'FINISHED', 180_000).catch((error: Error) => {
      throw new Error(`${error.message}\nJobManager log:\n${cluster!.logTail('jobmanager', 30)}`);
    });
    log(`job FINISHED after ${done.restarts} restarts: ${describeJob(done)}`);
    const ids = (await javaReadCommitted(bootstrap, output, { count: TOTAL, timeoutMs: 30_000, idleMs: 2000 })).map((v) => (JSON.parse(v) as { id: number }).id);
    const seen = new Map<number, number>();
    for (const i of ids) seen.set(i, (seen.get(i) ?? 0) + 1);
    const duplicated = [...seen].filter(([, n]) => n > 1).map(([i]) => i);
    const lost = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => !seen.has(i));
    expect({ lostCount: lost.length, lost: lost.slice(0, 10), duplicatedCount: duplicated.length, duplicated: duplicated.slice(0, 10) }).toEqual({ lostCount: 0, lost: [], duplicatedCount: 0, duplicated: [] });
  });
});
