import { deploymentSchema } from '../../api/v1alpha1/deployment.ts';
import type { DeploymentStatus } from '../../api/v1alpha1/deployment.ts';
import { artifactArgsToParams } from './artifact-args.ts';
import { completeResolution, planArtifact } from './artifact-resolution.ts';
import { desiredDeploymentObjects, specHash } from './desired.ts';

const SHA = 'a'.repeat(64);
const scope = { bucket: 'ws', prefix: '', namespace: 'team-a' };
const deployment = (artifact: Record<string, unknown>) => deploymentSchema.parse({
  apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'orders', namespace: 'team-a' },
  spec: { source: { artifact }, queue: 'etl', parallelism: 1, jobManager: { cu: 0.25 }, taskManager: { cu: 0.5, slots: 1 }, configuration: { rate: '10' } },
});
const plan = (artifact: Record<string, unknown>, previous?: DeploymentStatus, s: typeof scope | null = scope) => {
  const d = deployment(artifact);
  return planArtifact({ spec: d.spec, namespace: 'team-a', specHash: specHash(d.spec), previous, scope: s ?? undefined });
};

describe('artifact args', () => {
  test('--name value, --name=value, name=value and bare flags become parameters; anything else names the argument', () => {
    expect(artifactArgsToParams(['--rate', '5', '--mode=fast', 'out=/tmp/x', '--dry-run', '--n', '2'])).toEqual({ ok: true, params: [['rate', '5'], ['mode', 'fast'], ['out', '/tmp/x'], ['dry-run', 'true'], ['n', '2']] });
    expect(artifactArgsToParams(['--a', '--b'])).toEqual({ ok: true, params: [['a', 'true'], ['b', 'true']] });
    expect(artifactArgsToParams(['--rate', '5', 'positional'])).toEqual({ ok: false, message: "spec.source.artifact.args[2]: 'positional' is not a named parameter; write each argument as --name value, --name=value or name=value" });
  });
});

describe('resolving a Deployment artifact', () => {
  test('a bucket artifact (by name or s3:// URI) is resolved; its digest and entry go into the pods\' job URL and its args after the configuration', () => {
    const p = plan({ uri: 'job.mjs', entry: 'doubled', args: ['--rate', '20'] });
    expect(p).toEqual({ kind: 'resolve', bucket: 'ws', key: 'artifacts/namespaces/team-a/job.mjs', params: [['rate', '20']] });
    expect(plan({ uri: 's3://ws/artifacts/namespaces/team-a/job.mjs' })).toMatchObject({ kind: 'resolve', key: 'artifacts/namespaces/team-a/job.mjs' });
    const d = deployment({ uri: 'job.mjs', entry: 'doubled', args: ['--rate', '20'] });
    const r = completeResolution(d.spec, p as Extract<typeof p, { kind: 'resolve' }>, { sha256: SHA, size: 12 }, specHash(d.spec), '2026-12-07T06:00:00.000Z');
    expect(r.status).toEqual({ uri: 'job.mjs', location: 's3://ws/artifacts/namespaces/team-a/job.mjs', sha256: SHA, size: 12, resolvedAt: '2026-12-07T06:00:00.000Z', specHash: specHash(d.spec) });
    expect(r.job?.url).toBe(`s3://ws/artifacts/namespaces/team-a/job.mjs#sha256=${SHA}&entry=doubled`);
    const out = desiredDeploymentObjects(d, { defaultImage: 'millrace:dev', owner: { apiVersion: 'v1', kind: 'Deployment', name: 'orders', uid: 'u', controller: true, blockOwnerDeletion: true }, job: r.job });
    const args = out.pods.map((pod) => (pod.spec as { containers: Array<{ args: string[] }> }).containers[0]?.args ?? []);
    for (const a of args) expect(a[a.indexOf('--job') + 1]).toBe(r.job?.url);
    expect(args[0]?.join(' ')).toContain('--set rate=10 --set rate=20');
  });
  test('a missing object or a digest other than the pin fails with the reason; a name outside the namespace is refused without reading the bucket', () => {
    const d = deployment({ uri: 'job.mjs', sha256: SHA });
    const p = plan({ uri: 'job.mjs', sha256: SHA }) as Extract<ReturnType<typeof plan>, { kind: 'resolve' }>;
    expect(completeResolution(d.spec, p, undefined, 'h', 'now').problem).toEqual({ reason: 'ArtifactNotFound', message: 'spec.source.artifact.uri: job.mjs does not exist (s3://ws/artifacts/namespaces/team-a/job.mjs); upload it with npx millrace artifacts upload; the Deployment starts once it is there (looked at again every 15 s)' });
    expect(completeResolution(d.spec, p, { sha256: 'b'.repeat(64), size: 1 }, 'h', 'now').problem).toMatchObject({ reason: 'ArtifactDigestMismatch', message: expect.stringContaining(`has sha256 ${'b'.repeat(64)}, not ${SHA}`) });
    expect(completeResolution(d.spec, p, { sha256: '', size: 65 * 1024 * 1024, tooLarge: true }, 'h', 'now').problem).toMatchObject({ reason: 'ArtifactTooLarge', message: expect.stringContaining('has 68157440 bytes, more than the 67108864') });
    expect(plan({ uri: 's3://ws/artifacts/namespaces/team-b/job.mjs' })).toMatchObject({ kind: 'problem', problem: { reason: 'ArtifactNotAllowed' } });
    expect(plan({ uri: 's3://elsewhere/artifacts/namespaces/team-a/job.mjs' })).toMatchObject({ kind: 'problem', problem: { reason: 'ArtifactNotAllowed' } });
    expect(plan({ uri: 'job.mjs' }, undefined, null)).toMatchObject({ kind: 'problem', problem: { reason: 'ArtifactStorageUnavailable' } });
    expect(plan({ uri: 'job.mjs', args: ['oops'] })).toMatchObject({ kind: 'problem', problem: { reason: 'InvalidArtifactArgs' } });
  });
  test('the recorded digest is reused while the job lives and resolved again for a new spec or a new start', () => {
    const d = deployment({ uri: 'job.mjs' });
    const recorded = { uri: 'job.mjs', location: 's3://ws/artifacts/namespaces/team-a/job.mjs', sha256: SHA, resolvedAt: 't', specHash: specHash(d.spec) };
    expect(plan({ uri: 'job.mjs' }, { phase: 'Running', artifact: recorded })).toEqual({ kind: 'reuse', status: recorded, job: { url: `s3://ws/artifacts/namespaces/team-a/job.mjs#sha256=${SHA}`, params: [] } });
    expect(plan({ uri: 'job.mjs' }, { phase: 'Suspended', artifact: recorded }).kind).toBe('resolve');
    // while suspended nothing starts: the bucket is not read, the record stays
    const suspended = deploymentSchema.parse({ ...deployment({ uri: 'job.mjs' }), spec: { ...deployment({ uri: 'job.mjs' }).spec, state: 'suspended' } });
    expect(planArtifact({ spec: suspended.spec, namespace: 'team-a', specHash: 'other', previous: { phase: 'Suspended', artifact: recorded }, scope }).kind).toBe('reuse');
    expect(planArtifact({ spec: suspended.spec, namespace: 'team-a', specHash: 'other', previous: undefined, scope }).kind).toBe('none');
    expect(plan({ uri: 'job.mjs', args: ['--x', '1'] }, { phase: 'Running', artifact: recorded }).kind).toBe('resolve');
  });
  test('file:// and pinned https:// artifacts load as before, with the entry in the fragment', () => {
    expect(plan({ uri: 'file:///opt/job.ts' })).toEqual({ kind: 'direct', job: { url: 'file:///opt/job.ts', params: [] } });
    expect(plan({ uri: `https://h/job.js#sha256=${SHA}`, entry: 'main' })).toEqual({ kind: 'direct', job: { url: `https://h/job.js#sha256=${SHA}&entry=main`, params: [] } });
  });
});
