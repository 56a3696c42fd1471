import { deploymentSchema } from '../../../operator/api/v1alpha1/deployment.ts';
import { desiredDeploymentObjects } from '../../../operator/controllers/deployment/desired.ts';
import { podAsLocalProcess } from './operator-pod-process.ts';

const d = deploymentSchema.parse({
  apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'outage', namespace: 'team-a' },
  spec: { source: { pipeline: 'source: { type: nexmark }\nsink: { type: blackhole }\n' } },
});
const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'outage', uid: 'u', controller: true, blockOwnerDeletion: true };
const storage = { bucket: 'b', prefix: 'ws/', region: 'us-east-1', forcePathStyle: true, endpoint: 'http://127.0.0.1:9', secretName: 'millrace-s3-credentials' };
const objects = desiredDeploymentObjects(d, { defaultImage: 'x', owner, storage });
const places = {
  repoRoot: '/repo', jobManagerHost: 'outage-jobmanager.team-a.svc', jobManagerRestPort: 40001, jobManagerRpcPort: 40002,
  volumeDirs: { config: '/v/config', scratch: '/v/scratch', 's3-credentials': '/v/s3', auth: '/v/auth' },
};

test("the JobManager pod becomes a process with the pod's own settings; only mounts, image paths, host and port change", () => {
  const jm = podAsLocalProcess(objects.pods[0]!, places);
  expect(jm.role).toBe('jobmanager');
  // No --restart-strategy: a Deployment without spec.restartStrategy gets the JobManager's default (Flink's, exponential delay).
  expect(jm.args).toEqual(['jobmanager', '--host', '127.0.0.1', '--port', '40001',
    '--job', '/repo/runtime/pipeline/pipeline-job.ts', '--parallelism', '1', '--set', 'pipeline=/v/config/pipeline.yaml']);
  expect(jm.env).toMatchObject({
    POD_IP: '127.0.0.1', MILLRACE_CONFIG: '/v/config/millrace.json', MILLRACE_S3_CREDENTIALS_DIR: '/v/s3', MILLRACE_S3_ENDPOINT: 'http://127.0.0.1:9',
    MILLRACE_S3_BUCKET: 'b', MILLRACE_S3_PREFIX: 'ws/', MILLRACE_FILE_ROOTS: '/v/scratch', MILLRACE_JOBMANAGER_ADDRESS: '127.0.0.1:40002',
  });
  expect(jm.env.MILLRACE_AUTH_KEY_FILE).toMatch(/^\/v\/auth\/[^/]+$/);
  // Nothing that tunes S3 or checkpoints beyond what the operator sets.
  expect(Object.keys(jm.env).filter((k) => /TIMEOUT|MAX_ATTEMPTS|TOLERABLE/.test(k))).toEqual([]);
});

test('the TaskManager pod reaches the local JobManager and takes a free port', () => {
  const tm = podAsLocalProcess(objects.pods[1]!, places);
  expect(tm.args).toEqual(['taskmanager', '--jobmanager', 'http://127.0.0.1:40001', '--slots', '1', '--host', '127.0.0.1', '--port', '0', '--job', '/repo/runtime/pipeline/pipeline-job.ts']);
});

test('local directories under another mount path (/tmp) are not translated twice', () => {
  const jm = podAsLocalProcess(objects.pods[0]!, { ...places, volumeDirs: { config: '/tmp/t/config', scratch: '/tmp/t/scratch', 's3-credentials': '/tmp/t/s3', auth: '/tmp/t/auth' } });
  expect(jm.args).toContain('pipeline=/tmp/t/config/pipeline.yaml');
  expect(jm.env).toMatchObject({ MILLRACE_CONFIG: '/tmp/t/config/millrace.json', MILLRACE_FILE_ROOTS: '/tmp/t/scratch', MILLRACE_S3_CREDENTIALS_DIR: '/tmp/t/s3' });
});

test('a volume without a local directory is an error naming it', () => {
  expect(() => podAsLocalProcess(objects.pods[0]!, { ...places, volumeDirs: { config: '/v/config' } })).toThrow(/no local directory for volume/);
});
