// Issue 14 point 8: a JobManager configured exactly as the operator configures one survives a 30 s
// S3 outage without ending Failed — with the operator's DEFAULTS (checkpoints every 60 s, 3
// tolerable failures, the restart strategy and S3 client settings a Deployment gets when it says
// nothing). Not in `npm test` (over 3 minutes): `npm run test:s3-outage-operator`.
//
// The pods are the operator's own: desiredDeploymentObjects() of a Deployment whose spec names
// only its inline pipeline (parsed through the CRD's zod schema, so every default applies), run as
// local processes with the containers' args and env (test/recovery/support/operator-pod-process.ts
// translates only volumes, the Service name, ports and the pod IP). The storage is a private MinIO
// of this test (the shared one is never stopped); the pods' S3 credentials are its static keys,
// where a cluster would mount per-namespace STS credentials. The job is watched through the
// operator's own JobManager client, signed with the Deployment's key, as its observer does.
import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deploymentSchema } from '../../operator/api/v1alpha1/deployment.ts';
import { AUTH_KEY_FILE } from '../../operator/controllers/deployment/auth-secret.ts';
import { desiredDeploymentObjects, runtimeConfig } from '../../operator/controllers/deployment/desired.ts';
import { S3_SECRET_NAME } from '../../operator/controllers/namespace/desired.ts';
import { httpJobManagerClient } from '../../operator/jobmanager/client.ts';
import { loadDeploymentKey } from '../../runtime/auth/deployment-key.ts';
import { signedFetcher } from '../../runtime/auth/signed-fetch.ts';
import { MILLRACE_BIN } from '../../runtime/local/process-cluster.ts';
import { freePort } from './support/free-port.ts';
import type { CheckpointStats } from './support/job-api.ts';
import { waitFor } from './support/job-api.ts';
import { podAsLocalProcess } from './support/operator-pod-process.ts';
import { PrivateMinio } from './support/private-minio.ts';
import { SupervisedProcess, type ProcessEvent } from './support/supervised-process.ts';
import { testLog } from './support/test-log.ts';

jest.setTimeout(600_000);
const REPO = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const OUTAGE_MS = 30_000;
// Unbounded input (the nexmark source without `events`); its positions are checkpointed.
const PIPELINE = 'source: { type: nexmark, rate: 200 }\nsink: { type: blackhole }\n';

describe("an operator-configured JobManager with the operator's default settings", () => {
  const log = testLog('s3-outage-operator');
  let dir: string;
  let minio: PrivateMinio | undefined;
  const processes: SupervisedProcess[] = [];
  const events: ProcessEvent[] = [];
  beforeAll(() => { dir = mkdtempSync(path.join(os.tmpdir(), 's3-outage-operator-')); });
  afterAll(async () => {
    for (const p of processes) await p.stop();
    // The processes' last words, for a failed run (the directory goes next).
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.log'))) log(`${f}:\n${readFileSync(path.join(dir, f), 'utf8').split('\n').slice(-15).join('\n')}`);
    await minio?.pause();
    rmSync(dir, { recursive: true, force: true });
  });

  test('rides out a 30 s S3 outage: the checkpoint during it fails, the job keeps running (never FAILED), and checkpoints complete again after', async () => {
    minio = await PrivateMinio.start(path.join(dir, 'minio'));
    const s3 = minio.connection;
    const d = deploymentSchema.parse({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'outage', namespace: 'team-a' }, spec: { source: { pipeline: PIPELINE } } });
    const defaults = runtimeConfig(d);
    log(`defaults of the Deployment: checkpoints ${JSON.stringify(d.spec.checkpoints)}, restartStrategy ${JSON.stringify(d.spec.restartStrategy)}, parallelism ${d.spec.parallelism}, slots ${d.spec.taskManager.slots}`);
    // What the test relies on being the defaults (a changed default makes this test say so, not pass vacuously).
    expect(defaults.checkpoints).toEqual({ intervalSeconds: 60, retained: 1, tolerableFailures: 3 });

    const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'outage', uid: 'uid-outage', controller: true, blockOwnerDeletion: true };
    const storage = { bucket: s3.bucket, prefix: 'ws/', region: s3.region, forcePathStyle: true, endpoint: s3.endpoint, secretName: S3_SECRET_NAME };
    const objects = desiredDeploymentObjects(d, { defaultImage: 'localhost/millrace:dev', owner, storage });

    // The pods' volumes: the configuration files (annotations or a ConfigMap), the S3 Secret, the key Secret, the scratch emptyDir.
    const volumeDirs: Record<string, string> = {};
    const volume = (name: string, files: Record<string, string>) => {
      const at = path.join(dir, 'volumes', name);
      mkdirSync(at, { recursive: true });
      for (const [f, content] of Object.entries(files)) writeFileSync(path.join(at, f), content, { mode: 0o600 });
      volumeDirs[name] = at;
    };
    volume('config', objects.files);
    volume('s3-credentials', { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey });
    volume('auth', { [path.basename(AUTH_KEY_FILE)]: randomBytes(32).toString('hex') });
    volume('scratch', {});
    const places = { repoRoot: REPO, volumeDirs, jobManagerHost: `${(objects.service.metadata.name)}.team-a.svc`, jobManagerRestPort: await freePort(), jobManagerRpcPort: await freePort() };
    const record = (e: ProcessEvent) => { events.push(e); if (e.kind !== 'start' || processes.length > 1) log(`${e.name} ${e.kind}${e.detail ? ` (${e.detail})` : ''}`); };
    for (const [i, pod] of objects.pods.entries()) {
      const p = podAsLocalProcess(pod, places);
      if (i === 0) log(`jobmanager ${p.args.join(' ')}`);
      // A pod's environment is its container's env and the image's, nothing of this machine's.
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production', HOME: volumeDirs.scratch!, ...p.env };
      const proc = new SupervisedProcess({ name: p.role === 'jobmanager' ? 'jobmanager' : `taskmanager-${i - 1}`, module: MILLRACE_BIN, args: () => p.args, env, restartDelayMs: 1000, logFile: path.join(dir, `${p.role}-${i}.log`), onEvent: record });
      processes.push(proc);
      proc.start();
    }

    const baseUrl = `http://127.0.0.1:${places.jobManagerRestPort}`;
    const key = loadDeploymentKey({ MILLRACE_AUTH_KEY_FILE: path.join(volumeDirs.auth!, path.basename(AUTH_KEY_FILE)) });
    const client = httpJobManagerClient(baseUrl, 5000, { key: async () => key });
    const checkpoints = async (id: string) => {
      const res = await signedFetcher(key, 'operator')(`${baseUrl}/jobs/${id}/checkpoints`, { method: 'GET', timeoutMs: 5000 });
      if (!res.ok) throw new Error(`checkpoints of ${id}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
      return res.json<CheckpointStats>()!;
    };

    const id = await waitFor('the configured job listed', async () => (await client.listJobs().catch(() => []))[0]?.id, 90_000, 500);
    const running = await waitFor('the job RUNNING', async () => { const j = await client.job(id).catch(() => undefined); return j?.state === 'RUNNING' ? j : undefined; }, 90_000, 500);
    const first = await waitFor('the first checkpoint (60 s interval)', async () => { const c = await checkpoints(id).catch(() => undefined); return c && c.counts.completed >= 1 ? c : undefined; }, 150_000, 1000);
    log(`job ${id} RUNNING (restarts ${running.restarts}); checkpoint ${first.latest.completed?.id} completed`);

    // The next checkpoint is due one interval after the first: stop S3 20 s before it, for 30 s,
    // so the outage covers its trigger with 10 s on either side.
    const due = first.latest.completed!.latest_ack_timestamp + d.spec.checkpoints.intervalSeconds * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, due - 20_000 - Date.now())));
    const before = await checkpoints(id);
    await minio.pause();
    log(`S3 stopped (completed ${before.counts.completed}, failed ${before.counts.failed})`);
    const states = new Set<string>();
    const outageEnds = Date.now() + OUTAGE_MS;
    while (Date.now() < outageEnds) {
      const j = await client.job(id);
      states.add(j.state);
      expect(j.state).not.toBe('FAILED');
      expect(j.restarts).toBe(running.restarts);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const during = await checkpoints(id);
    log(`after ${OUTAGE_MS / 1000} s without S3: states ${[...states].join(',')}; completed ${during.counts.completed}, failed ${during.counts.failed}; latest failure: ${during.latest.failed?.failure_message}`);
    // The outage really hit a checkpoint (otherwise this test would prove nothing).
    expect(during.counts.failed).toBeGreaterThan(before.counts.failed);
    expect([...states]).toEqual(['RUNNING']);

    await minio.resume();
    log('S3 back');
    const lastBefore = during.latest.completed?.id ?? 0;
    const after = await waitFor('a checkpoint completed after S3 is back', async () => { const c = await checkpoints(id).catch(() => undefined); return c && (c.latest.completed?.id ?? 0) > lastBefore ? c : undefined; }, 150_000, 1000);
    const end = await client.job(id);
    log(`checkpoint ${after.latest.completed?.id} completed; job ${end.state}, restarts ${end.restarts}`);
    expect(end.state).toBe('RUNNING');
    expect(end.restarts).toBe(running.restarts);
    // No process died (a pod would have restarted).
    expect(events.filter((e) => e.kind === 'exit')).toEqual([]);
  });
});
