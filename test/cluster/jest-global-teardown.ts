// Stops what this jest run started (local cluster tiers, the local S3 server), and nothing
// that was running before it.
import { readFile, rm } from 'node:fs/promises';
import { down, downNodeTier } from './kube/cluster.ts';
import { startedByRunFile } from './environment.ts';
import { stopS3StartedBy } from './s3/environment.ts';
import { stopKafkaStartedBy } from '../services/kafka/environment.ts';
import { stopPostgresStartedBy } from '../services/postgres/environment.ts';

export default async function globalTeardown(): Promise<void> {
  const runId = process.env.MILLRACE_TEST_RUN_ID;
  if (!runId) return;
  await stopS3StartedBy(runId);
  await stopKafkaStartedBy(runId);
  await stopPostgresStartedBy(runId);
  const file = startedByRunFile(runId);
  const started = new Set((await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean));
  if (started.has('control-plane')) await down();
  else if (started.has('node')) await downNodeTier();
  await rm(file, { force: true });
}
