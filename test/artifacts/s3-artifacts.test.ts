// Artifacts and archived logs against the real S3 server (MinIO of test/cluster/s3): a bundled
// job (examples/artifacts, with its npm dependency) is uploaded as the console does, the operator
// reads its digest with the workspace key, and the runtime downloads it with credentials from a
// mounted-Secret directory (as in a pod), verifies the pin and runs the chosen export; a wrong pin
// and a deleted object fail with their codes. A pod's log archive lands under the job's prefix
// and reads back through the console's store.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadJob } from '../../runtime/artifacts/job-loader.ts';
import { executeLocally } from '../../runtime/local/local-executor.ts';
import { createS3Client } from '../../runtime/storage/open-object-store.ts';
import { resolveS3Settings } from '../../runtime/storage/s3-settings.ts';
import { ArtifactStore } from '../../runtime/artifacts/artifact-store.ts';
import { bundleJob } from '../../runtime/artifacts/bundle.ts';
import { materializeJob } from '../../runtime/artifacts/fetch-artifact.ts';
import { podLogArchive } from '../../runtime/logging/pod-log-archive.ts';
import { s3ArtifactDigests } from '../../operator/controllers/deployment/artifact-digest.ts';
import { useS3 } from '../cluster/s3/environment.ts';
import type { S3Connection } from '../cluster/s3/environment.ts';

let s3: S3Connection;
let dir: string;
let store: ArtifactStore;
let env: Record<string, string>;
const namespace = `art-${Date.now().toString(36)}`;
const prefix = `artifacts-test-${Date.now().toString(36)}/`;

beforeAll(async () => {
  s3 = await useS3();
  dir = await mkdtemp(path.join(os.tmpdir(), 'mr-s3-artifacts-'));
  const client = createS3Client(resolveS3Settings({}, { endpoint: s3.endpoint, region: s3.region, forcePathStyle: true }), { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  store = new ArtifactStore(client, s3.bucket, prefix);
  // what a pod gets: settings in its environment, the namespace's Secret mounted as files
  await writeFile(path.join(dir, 'AWS_ACCESS_KEY_ID'), s3.accessKeyId);
  await writeFile(path.join(dir, 'AWS_SECRET_ACCESS_KEY'), s3.secretAccessKey);
  env = { MILLRACE_S3_ENDPOINT: s3.endpoint, MILLRACE_S3_REGION: s3.region, MILLRACE_S3_PATH_STYLE: 'true', MILLRACE_S3_CREDENTIALS_DIR: dir, MILLRACE_S3_BUCKET: s3.bucket, MILLRACE_S3_PREFIX: prefix };
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

test('a bundled job uploaded to the bucket is resolved, downloaded with the pod credentials, verified and run by its entry; a wrong pin or a deleted object fails', async () => {
  const bundle = await bundleJob(path.join(import.meta.dirname, '../../examples/artifacts/word-lengths.ts'), path.join(dir, 'word-lengths.mjs'));
  const bytes = await readFile(bundle.file);
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(bundle.sha256);
  const uploaded = await store.upload(namespace, 'word-lengths.mjs', bytes, { uploadedBy: 'system:serviceaccount:x:editor' });
  expect(uploaded).toMatchObject({ uri: `s3://${s3.bucket}/${prefix}artifacts/namespaces/${namespace}/word-lengths.mjs`, sha256: bundle.sha256, size: bytes.byteLength });
  expect(await store.list(namespace)).toEqual([expect.objectContaining({ name: 'word-lengths.mjs', sha256: bundle.sha256, size: bytes.byteLength, uploadedBy: 'system%3Aserviceaccount%3Ax%3Aeditor' })]);

  // the operator's view, with the workspace key
  const target = { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } };
  const digests = s3ArtifactDigests();
  const key = `${prefix}artifacts/namespaces/${namespace}/word-lengths.mjs`;
  await expect(digests.digest(target, key)).resolves.toEqual({ sha256: bundle.sha256, size: bytes.byteLength });
  await expect(digests.digest(target, `${prefix}artifacts/namespaces/${namespace}/missing.mjs`)).resolves.toBeUndefined();

  // the pod's view: the URL the operator passes, downloaded into the pod's scratch directory
  const cacheDir = path.join(dir, 'cache');
  const url = await materializeJob(`s3://${s3.bucket}/${key}#sha256=${bundle.sha256}&entry=shouted`, { env, cacheDir });
  expect(url).toBe(`file://${cacheDir}/${bundle.sha256}.mjs#sha256=${bundle.sha256}&entry=shouted`);
  const job = await loadJob(url, { locked: true, configuredJob: url });
  expect(job.name).toBe('word-lengths-shouted');
  // the job prints its CSV lines (print sink): captured from this process's stdout
  const printed: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: unknown) => { printed.push(String(chunk)); return true; }) as typeof process.stdout.write;
  try {
    await executeLocally(job, { params: { words: 'ab c,d' } }).done;
  } finally {
    process.stdout.write = write;
  }
  expect(printed.join('')).toBe('word-lengths> AB,2\nword-lengths> "C,D",3\n');

  await expect(materializeJob(`s3://${s3.bucket}/${key}#sha256=${'0'.repeat(64)}`, { env, cacheDir })).rejects.toMatchObject({ code: 'MR_ERR_JOB_DIGEST_MISMATCH' });
  expect(await store.delete(namespace, 'word-lengths.mjs')).toBe(true);
  expect(await store.delete(namespace, 'word-lengths.mjs')).toBe(false);
  await expect(materializeJob(`s3://${s3.bucket}/${key}#sha256=${'1'.repeat(64)}`, { env, cacheDir })).rejects.toMatchObject({ code: 'MR_ERR_JOB_LOAD', message: expect.stringContaining('does not exist') });
}, 120_000);

test("a pod's log and its job's exception history are archived under the job and read back through the console's store", async () => {
  const configPath = path.join(dir, 'millrace.json');
  await writeFile(configPath, JSON.stringify({ deployment: { namespace, name: 'orders' } }));
  const archive = podLogArchive('jobmanager', { ...env, MILLRACE_CONFIG: configPath, HOSTNAME: 'orders-jm-1a2b', MILLRACE_LOG_ARCHIVE_INTERVAL_MS: '0' }, { teeStdout: false });
  expect(archive).toBeDefined();
  archive!.write(JSON.stringify({ level: 30, time: 1, msg: 'checkpoint storage' }));
  archive!.write(JSON.stringify({ level: 30, time: 2, jobId: 'job-1', msg: 'job state', to: 'FAILED' }));
  archive!.setExceptionsSource(() => ({ jobId: 'job-1', name: 'orders', state: 'FAILED', failureCause: 'boom', exceptions: [{ timestamp: 3, message: 'Error: boom' }] }));
  await archive!.close();
  const jobs = await store.archivedJobs(namespace, 'orders');
  expect(jobs.map((j) => [j.jobId, j.files.map((f) => f.name.replace(/^\d{13}/, 'T'))])).toEqual([['job-1', ['T-jobmanager-orders-jm-1a2b-000000.log', 'exceptions.json']]]);
  const log = (await store.readLogFile(namespace, 'orders', 'job-1', jobs[0]!.files[0]!.name))!.toString('utf8');
  expect(log.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['checkpoint storage', 'job state']);
  expect(JSON.parse((await store.readLogFile(namespace, 'orders', 'job-1', 'exceptions.json'))!.toString('utf8'))).toMatchObject({ state: 'FAILED', failureCause: 'boom', exceptions: [{ message: 'Error: boom', time: '1970-01-01T00:00:00.003Z' }] });
  await expect(store.readLogFile(namespace, 'orders', 'job-1', '../x')).rejects.toMatchObject({ code: 'MR_ERR_ARTIFACT_NAME' });
}, 60_000);
