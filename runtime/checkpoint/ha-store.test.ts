// The HA metadata a JobManager keeps in the checkpoint storage: what a restarted JobManager reads
// back, including the job's restart count and start time, and metadata written before those
// fields existed (read as no restarts, start time unknown).
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../storage/local-object-store.ts';
import { DeploymentKey } from '../auth/deployment-key.ts';
import { HaStore, type HaJob } from './ha-store.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ha-store-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const job: HaJob = {
  formatVersion: 1, jobId: 'j1', name: 'counts', jobUrl: 'file:///jobs/counts.ts', params: { events: '10' }, parallelism: 2,
  batchMode: false, latencyTrackingIntervalMs: 0, attempt: 3, state: 'RUNNING', restarts: 3, startTime: 1_700_000_000_000, updatedAt: 1_700_000_100_000,
};

test('a job written is read back with its attempt, restart count and start time', async () => {
  const ha = new HaStore(new LocalObjectStore({ directory: dir }), { namespace: 'team', deployment: 'counts' });
  expect(await ha.readJob()).toBeUndefined();
  await ha.writeJob(job);
  expect(await ha.readJob()).toEqual(job);
});

test('metadata of an older JobManager (no restarts, no start time) reads as 0 restarts', async () => {
  const { restarts: _restarts, startTime: _startTime, ...older } = job;
  await mkdir(join(dir, 'flink-jobs/team/counts/ha'), { recursive: true });
  await writeFile(join(dir, 'flink-jobs/team/counts/ha/job.json'), JSON.stringify(older));
  const read = await new HaStore(new LocalObjectStore({ directory: dir }), { namespace: 'team', deployment: 'counts' }).readJob();
  expect(read).toMatchObject({ jobId: 'j1', attempt: 3, restarts: 0 });
  expect(read?.startTime).toBeUndefined();
});

test('a negative restart count is refused as corrupt metadata, naming the file', async () => {
  await mkdir(join(dir, 'flink-jobs/team/counts/ha'), { recursive: true });
  await writeFile(join(dir, 'flink-jobs/team/counts/ha/job.json'), JSON.stringify({ ...job, restarts: -1 }));
  const read = new HaStore(new LocalObjectStore({ directory: dir }), { namespace: 'team', deployment: 'counts' }).readJob();
  await expect(read).rejects.toMatchObject({ code: 'MR_ERR_HA_RECORD_MALFORMED', message: expect.stringMatching(/ha\/job\.json is not valid: restarts/) });
});

describe('with a Deployment key', () => {
  const key = new DeploymentKey('a'.repeat(64), 'test');
  const trusted = () => new HaStore(new LocalObjectStore({ directory: dir }), { namespace: 'team', deployment: 'counts' }, { key, configuredJob: job.jobUrl });
  const file = () => join(dir, 'flink-jobs/team/counts/ha/job.json');

  test('records are written signed and read back', async () => {
    await trusted().writeJob(job);
    expect(JSON.parse(await readFile(file(), 'utf8')).signature).toMatch(/^[0-9a-f]{64}$/);
    expect(await trusted().readJob()).toEqual(job);
  });

  test('an unsigned, differently signed or altered record is refused naming the file, never returned', async () => {
    await mkdir(join(dir, 'flink-jobs/team/counts/ha'), { recursive: true });
    await writeFile(file(), JSON.stringify({ ...job, jobUrl: 'data:text/javascript,1' }));
    await expect(trusted().readJob()).rejects.toMatchObject({ code: 'MR_ERR_HA_RECORD_REFUSED', subject: expect.stringContaining('ha/job.json'), message: expect.stringContaining('not signed') });
    const other = new HaStore(new LocalObjectStore({ directory: dir }), { namespace: 'team', deployment: 'counts' }, { key: new DeploymentKey('b'.repeat(64), 'other') });
    await other.writeJob(job);
    await expect(trusted().readJob()).rejects.toMatchObject({ code: 'MR_ERR_HA_RECORD_REFUSED', message: expect.stringContaining("not signed with this Deployment's key") });
    await trusted().writeJob(job);
    const signed = JSON.parse(await readFile(file(), 'utf8'));
    await writeFile(file(), JSON.stringify({ ...signed, parallelism: 64 }));
    await expect(trusted().readJob()).rejects.toMatchObject({ code: 'MR_ERR_HA_RECORD_REFUSED' });
  });

  test('a correctly signed record that names another job module is refused', async () => {
    const signer = new HaStore(new LocalObjectStore({ directory: dir }), { namespace: 'team', deployment: 'counts' }, { key });
    await signer.writeJob({ ...job, jobUrl: 'file:///jobs/other.ts' });
    await expect(trusted().readJob()).rejects.toMatchObject({ code: 'MR_ERR_HA_RECORD_REFUSED', message: expect.stringContaining('file:///jobs/other.ts') });
  });

  test('a record that is not JSON is malformed, naming the file', async () => {
    await mkdir(join(dir, 'flink-jobs/team/counts/ha'), { recursive: true });
    await writeFile(file(), '{"formatVersion": 1, ');
    await expect(trusted().readJob()).rejects.toMatchObject({ code: 'MR_ERR_HA_RECORD_MALFORMED', message: expect.stringMatching(/ha\/job\.json is not JSON/) });
  });
});
