import { deploymentSchema } from '../../api/v1alpha1/deployment.ts';
import { desiredDeploymentObjects } from './desired.ts';

const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'orders', uid: 'u-1', controller: true, blockOwnerDeletion: true };
const d = deploymentSchema.parse({
  apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'orders', namespace: 'team-a' },
  spec: { source: { sql: 'SELECT 1' }, queue: 'etl', parallelism: 5, jobManager: { cu: 0.5 }, taskManager: { cu: 1.5, slots: 2 } },
});

describe('desired Deployment objects', () => {
  const out = desiredDeploymentObjects(d, { defaultImage: 'millrace:dev', owner });
  type PodSpec = { priorityClassName: string; containers: Array<{ resources: { requests: unknown; limits: unknown }; securityContext: unknown }>; securityContext: { runAsNonRoot: boolean } };
  test('one JobManager and ceil(parallelism/slots) TaskManagers, sized from CU with requests = limits', () => {
    expect(out.pods).toHaveLength(4);
    const [jm, ...tms] = out.pods.map((p) => (p.spec as PodSpec));
    expect(jm?.containers[0]?.resources).toEqual({
      requests: { cpu: '500m', memory: '2048Mi', 'ephemeral-storage': '10G' },
      limits: { cpu: '500m', memory: '2048Mi', 'ephemeral-storage': '10G' },
    });
    for (const tm of tms) expect(tm.containers[0]?.resources.limits).toEqual({ cpu: '1500m', memory: '6144Mi', 'ephemeral-storage': '30G' });
  });
  test('pods carry the queue PriorityClass, owner reference and labels, and run as non-root', () => {
    for (const p of out.pods) {
      const spec = p.spec as PodSpec;
      expect(spec.priorityClassName).toBe('millrace-team-a.etl');
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      expect(p.metadata.ownerReferences).toEqual([owner]);
      expect(p.metadata.labels).toMatchObject({ 'millrace.dev/deployment': 'orders', 'millrace.dev/queue': 'etl', 'millrace.dev/spec-hash': out.hash });
    }
    expect(out.service.metadata.ownerReferences).toEqual([owner]);
    const args = (p: number) => (out.pods[p]?.spec as { containers: Array<{ args: string[] }> }).containers[0]?.args;
    // Inline SQL: the script in CONFIG_DIR, run by the runtime's SQL job module in both roles.
    expect(args(0)).toEqual(['jobmanager', '--host', '0.0.0.0', '--port', '8081', '--restart-strategy', 'fixed-delay:attempts=3,delayMs=10000',
      '--job', '/opt/millrace/runtime/sql/physical/sql-job.ts', '--parallelism', '5', '--set', 'sql.file=/etc/millrace/job.sql']);
    expect(args(1)).toEqual(['taskmanager', '--jobmanager', 'http://orders-jobmanager.team-a.svc:8081', '--slots', '2', '--host', '$(POD_IP)', '--port', '6122', '--job', '/opt/millrace/runtime/sql/physical/sql-job.ts']);
    expect(out.files['job.sql']).toBe('SELECT 1');
    expect(JSON.parse(out.files['millrace.json'] ?? '{}')).toMatchObject({ parallelism: 5, source: { sql: 'SELECT 1' } });
  });
});

describe('job source and storage in the desired objects', () => {
  const pipeline = 'source: { type: nexmark }\nsink: { type: blackhole }\n';
  const withPipeline = deploymentSchema.parse({
    apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'rates', namespace: 'team-a' },
    spec: { source: { pipeline }, parallelism: 2, configuration: { 'k': 'v' } },
  });
  const storage = { bucket: 'ws-bucket', prefix: 'tenant/', region: 'eu-west-1', forcePathStyle: true, endpoint: 'http://10.245.0.1:19000', secretName: 'millrace-s3-credentials' };
  const out = desiredDeploymentObjects(withPipeline, { defaultImage: 'millrace:dev', owner, storage, restoreSavepointPath: 's3://ws-bucket/tenant/flink-savepoints/team-a/rates/savepoint-1/' });
  type Container = { args: string[]; env: Array<{ name: string; value?: string }>; volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }> };
  const container = (i: number) => (out.pods[i]?.spec as { containers: Container[] }).containers[0]!;
  const volumes = (i: number) => (out.pods[i]?.spec as { volumes: Array<{ name: string; secret?: { secretName: string; defaultMode: number } }> }).volumes;

  test('an inline pipeline goes into CONFIG_DIR and the JobManager runs the pipeline job module on it', () => {
    const data = out.files;
    expect(data['pipeline.yaml']).toBe(pipeline);
    expect(container(0).args).toEqual(['jobmanager', '--host', '0.0.0.0', '--port', '8081', '--restart-strategy', 'fixed-delay:attempts=3,delayMs=10000',
      '--job', '/opt/millrace/runtime/pipeline/pipeline-job.ts', '--parallelism', '2', '--set', 'pipeline=/etc/millrace/pipeline.yaml', '--set', 'k=v']);
    expect(JSON.parse(data['millrace.json'] ?? '{}').restore).toEqual({ strategy: 'savepoint', allowNonRestoredState: false, savepointPath: 's3://ws-bucket/tenant/flink-savepoints/team-a/rates/savepoint-1/' });
  });

  test('both roles get the workspace storage settings as env and its Secret copy mounted read-only, never a value', () => {
    for (const i of [0, 1]) {
      expect(container(i).env).toEqual(expect.arrayContaining([
        { name: 'MILLRACE_S3_BUCKET', value: 'ws-bucket' }, { name: 'MILLRACE_S3_PREFIX', value: 'tenant/' },
        { name: 'MILLRACE_S3_REGION', value: 'eu-west-1' }, { name: 'MILLRACE_S3_PATH_STYLE', value: 'true' },
        { name: 'MILLRACE_S3_ENDPOINT', value: 'http://10.245.0.1:19000' }, { name: 'MILLRACE_S3_CREDENTIALS_DIR', value: '/var/run/secrets/millrace/s3' },
      ]));
      expect(container(i).env.map((e) => e.name)).not.toContain('AWS_SECRET_ACCESS_KEY');
      expect(container(i).volumeMounts).toContainEqual({ name: 's3-credentials', mountPath: '/var/run/secrets/millrace/s3', readOnly: true });
      expect(volumes(i)).toContainEqual({ name: 's3-credentials', secret: { secretName: 'millrace-s3-credentials', defaultMode: 0o440 } });
    }
  });

  test('without a known workspace there is no storage env and no Secret volume', () => {
    const bare = desiredDeploymentObjects(withPipeline, { defaultImage: 'millrace:dev', owner });
    const c = (bare.pods[0]?.spec as { containers: Container[] }).containers[0]!;
    expect(c.env.map((e) => e.name).filter((n) => n.startsWith('MILLRACE_S3'))).toEqual([]);
    expect(c.volumeMounts.map((m) => m.name)).toEqual(['config', 'scratch', 'auth']);
  });
});
