import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { collectSink } from '../connectors/collect-sink.ts';
import { executeLocally } from '../local/local-executor.ts';
import { loadJob } from './job-loader.ts';
import { LocalObjectStore } from '../storage/local-object-store.ts';
import { cacheFileName, materializeJob } from './fetch-artifact.ts';
import { formatJobUrl, parseJobUrl } from './job-url.ts';
import { isBucketArtifactRef, logsDir, namespaceArtifactsDir, resolveArtifactRef } from './layout.ts';

// A bundled job module: a default export and a named build function.
const MODULE = `export default { name: 'by-default', build(env, params) { env.fromElements([1, 2]).map((x) => x * Number(params.get('k', '1'))).sinkTo(globalThis.__artifactSink); } };
export function doubled(env, params) { env.fromElements([1, 2, 3]).map((x) => x * 2 + Number(params.get('k', '0'))).sinkTo(globalThis.__artifactSink); }
export const notAJob = 42;`;
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

describe('artifact layout', () => {
  const scope = { bucket: 'ws', prefix: 'tenant/', namespace: 'team-a' };
  test('names and s3:// URIs of the namespace resolve to its keys; other buckets and namespaces are refused naming the field', () => {
    expect(namespaceArtifactsDir('tenant/', 'team-a')).toBe('tenant/artifacts/namespaces/team-a/');
    expect(logsDir('', 'team-a', 'orders', 'j1')).toBe('logs/namespaces/team-a/orders/j1/');
    expect(resolveArtifactRef('job.mjs', scope)).toEqual({ ok: true, bucket: 'ws', key: 'tenant/artifacts/namespaces/team-a/job.mjs', kind: 'artifacts', name: 'job.mjs' });
    expect(resolveArtifactRef('s3://ws/tenant/sql-artifacts/namespaces/team-a/udf/lib.mjs', scope)).toMatchObject({ ok: true, kind: 'sql-artifacts', name: 'udf/lib.mjs' });
    expect(resolveArtifactRef('s3://other/tenant/artifacts/namespaces/team-a/job.mjs', scope)).toEqual({ ok: false, message: expect.stringMatching(/^spec\.source\.artifact\.uri: .* not in the workspace bucket ws/) });
    expect(resolveArtifactRef('s3://ws/tenant/artifacts/namespaces/team-b/job.mjs', scope)).toEqual({ ok: false, message: expect.stringContaining("only its own namespace's artifacts") });
    expect(resolveArtifactRef('s3://ws/tenant/artifacts/namespaces/team-a/../team-b/job.mjs', scope)).toMatchObject({ ok: false });
    expect(resolveArtifactRef('../job.mjs', scope)).toMatchObject({ ok: false, message: expect.stringContaining('neither an s3:// URI nor an artifact file name') });
    expect([isBucketArtifactRef('job.mjs'), isBucketArtifactRef('s3://b/k'), isBucketArtifactRef('file:///x.ts'), isBucketArtifactRef('/opt/x.ts'), isBucketArtifactRef('https://h/x.js#sha256=0')]).toEqual([true, true, false, false, false]);
  });
  test('job URLs carry the pin and the entry in their fragment', () => {
    const url = formatJobUrl({ base: 's3://b/k.mjs', sha256: 'a'.repeat(64), entry: 'doubled' });
    expect(url).toBe(`s3://b/k.mjs#sha256=${'a'.repeat(64)}&entry=doubled`);
    expect(parseJobUrl(url)).toEqual({ base: 's3://b/k.mjs', sha256: 'a'.repeat(64), entry: 'doubled' });
    expect(parseJobUrl('s3://b/k#entry=1bad')).toEqual({ base: 's3://b/k' });
    expect([cacheFileName('a/job.ts', 'd'), cacheFileName('a/job.js', 'd'), cacheFileName('a/job', 'd'), cacheFileName('x.cjs', 'd')]).toEqual(['d.ts', 'd.mjs', 'd.mjs', 'd.cjs']);
  });
});

describe('materializing an s3:// job artifact', () => {
  let dir: string;
  let bucketDir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mr-artifact-cache-'));
    bucketDir = await mkdtemp(path.join(os.tmpdir(), 'mr-artifact-bucket-'));
  });
  afterEach(async () => {
    delete (globalThis as Record<string, unknown>).__artifactSink;
    await rm(dir, { recursive: true, force: true });
    await rm(bucketDir, { recursive: true, force: true });
  });
  const openBucket = (bucket: string) => new LocalObjectStore({ directory: path.join(bucketDir, bucket) });

  test('downloaded, verified and loaded by its entry; a wrong pin, a missing object and an unpinned URI fail with their codes', async () => {
    await openBucket('ws').put('artifacts/namespaces/team-a/job.mjs', Buffer.from(MODULE));
    const pin = sha(MODULE);
    const url = await materializeJob(`s3://ws/artifacts/namespaces/team-a/job.mjs#sha256=${pin}&entry=doubled`, { cacheDir: dir, openBucket });
    expect(url).toBe(`file://${dir}/${pin}.mjs#sha256=${pin}&entry=doubled`);
    const out: number[] = [];
    (globalThis as Record<string, unknown>).__artifactSink = collectSink(out);
    await executeLocally(await loadJob(url, { locked: true, configuredJob: url }), { params: { k: '1' } }).done;
    expect(out.sort()).toEqual([3, 5, 7]);
    // another process (a TaskManager) derives the very same URL, from the cache this time
    await expect(materializeJob(`s3://ws/artifacts/namespaces/team-a/job.mjs#sha256=${pin}&entry=doubled`, { cacheDir: dir, openBucket: () => { throw new Error('not downloaded again'); } })).resolves.toBe(url);
    await expect(loadJob(`file://${dir}/${pin}.mjs#sha256=${pin}&entry=notAJob`)).rejects.toMatchObject({ code: 'MR_ERR_JOB_LOAD', message: expect.stringContaining("entry 'notAJob' is not an exported job or build function (the module exports default, doubled, notAJob)") });

    await expect(materializeJob(`s3://ws/artifacts/namespaces/team-a/job.mjs#sha256=${'0'.repeat(64)}`, { cacheDir: dir, openBucket })).rejects.toMatchObject({ code: 'MR_ERR_JOB_DIGEST_MISMATCH', message: expect.stringContaining(`has sha256 ${pin}, not the pinned ${'0'.repeat(64)}`) });
    await expect(materializeJob(`s3://ws/artifacts/namespaces/team-a/gone.mjs#sha256=${'1'.repeat(64)}`, { cacheDir: dir, openBucket })).rejects.toMatchObject({ code: 'MR_ERR_JOB_LOAD', message: expect.stringContaining('s3://ws/artifacts/namespaces/team-a/gone.mjs does not exist') });
    await expect(materializeJob('s3://ws/artifacts/namespaces/team-a/job.mjs', { cacheDir: dir, openBucket })).rejects.toMatchObject({ code: 'MR_ERR_JOB_URL_REFUSED' });
    // only verified files are left behind
    expect(await readdir(dir)).toEqual([`${pin}.mjs`]);
  });
  test('a file over the size limit is not kept', async () => {
    await openBucket('ws').put('big.mjs', Buffer.alloc(2048));
    await expect(materializeJob(`s3://ws/big.mjs#sha256=${sha(Buffer.alloc(2048))}`, { cacheDir: dir, openBucket, maxBytes: 1024 })).rejects.toMatchObject({ code: 'MR_ERR_JOB_LOAD', message: expect.stringContaining('larger than 1024 bytes') });
    expect(await readdir(dir).catch(() => [])).toEqual([]);
  });
});
