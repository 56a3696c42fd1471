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
    expect(args(0)).toEqual(['jobmanager', '--host', '0.0.0.0', '--port', '8081',
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
    expect(container(0).args).toEqual(['jobmanager', '--host', '0.0.0.0', '--port', '8081',
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

describe('standby TaskManagers (spec.taskManager.standby)', () => {
  const withStandby = (standby: number | undefined) => deploymentSchema.parse({
    apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'orders', namespace: 'team-a' },
    spec: { source: { sql: 'SELECT 1' }, parallelism: 4, taskManager: { cu: 0.5, slots: 2, ...(standby === undefined ? {} : { standby }) } },
  });
  const tmNames = (out: ReturnType<typeof desiredDeploymentObjects>) => out.pods.filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'taskmanager').map((p) => p.metadata.name);

  test('N more TaskManager pods than the parallelism needs, alike, and the JobManager told to keep N free', () => {
    const out = desiredDeploymentObjects(withStandby(2), { defaultImage: 'millrace:dev', owner });
    // parallelism 4 on 2 slots needs 2; plus 2 standby. They are the same pods (any of them may be
    // the standby: the JobManager decides, and a replaced pod becomes the next one).
    expect(tmNames(out)).toEqual([0, 1, 2, 3].map((i) => `orders-tm-${out.hash}-${i}`));
    const specs = out.pods.slice(1).map((p) => JSON.stringify(p.spec).replaceAll(/orders-tm-\w+-\d/g, ''));
    expect(new Set(specs).size).toBe(1);
    expect(JSON.parse(out.files['millrace.json'] ?? '{}').taskManagers).toEqual({ standby: 2 });
  });

  test('absent or 0: no standby pod, no setting, and a spec without the field keeps its pods\' hash', () => {
    const absent = withStandby(undefined);
    // No default is filled in: pods made before the field existed keep their spec hash (no restart on an operator upgrade).
    expect('standby' in absent.spec.taskManager).toBe(false);
    const out = desiredDeploymentObjects(absent, { defaultImage: 'millrace:dev', owner });
    expect(tmNames(out)).toHaveLength(2);
    expect(JSON.parse(out.files['millrace.json'] ?? '{}')).not.toHaveProperty('taskManagers');
    const zero = desiredDeploymentObjects(withStandby(0), { defaultImage: 'millrace:dev', owner });
    expect(tmNames(zero)).toHaveLength(2);
    expect(JSON.parse(zero.files['millrace.json'] ?? '{}')).not.toHaveProperty('taskManagers');
    // A change of the standby count is a change of the pods (the upgrade strategy applies).
    expect(desiredDeploymentObjects(withStandby(1), { defaultImage: 'millrace:dev', owner }).hash).not.toBe(out.hash);
  });

  test('a bad count is refused naming the field and the bound', () => {
    expect(() => withStandby(17)).toThrow(/taskManager\.standby is at most 16/);
    expect(() => withStandby(-1)).toThrow(/taskManager\.standby must be 0 or more/);
    expect(() => withStandby(1.5)).toThrow(/standby/);
  });
});

describe('restart strategy of a Deployment', () => {
  const jobManagerArgs = (spec: Record<string, unknown>) => {
    const dep = deploymentSchema.parse({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'r', namespace: 'team-a' }, spec: { source: { sql: 'SELECT 1' }, ...spec } });
    const objs = desiredDeploymentObjects(dep, { defaultImage: 'millrace:dev', owner });
    return (objs.pods[0]?.spec as { containers: Array<{ args: string[] }> }).containers[0]!.args;
  };
  test('absent: no flag, so the JobManager takes Flink\'s default with checkpoints (exponential delay from 1 s, no attempt limit)', () => {
    const args = jobManagerArgs({});
    expect(args).not.toContain('--restart-strategy');
    expect(deploymentSchema.parse({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'r', namespace: 'team-a' }, spec: { source: { sql: 'SELECT 1' } } }).spec.restartStrategy).toBeUndefined();
  });
  test('given: its flag, with fixedDelay (3 attempts, 10 s) filled in for what it leaves out', () => {
    expect(jobManagerArgs({ restartStrategy: {} })).toEqual(expect.arrayContaining(['--restart-strategy', 'fixed-delay:attempts=3,delayMs=10000']));
    expect(jobManagerArgs({ restartStrategy: { type: 'exponentialDelay', delaySeconds: 2 } })).toEqual(expect.arrayContaining(['--restart-strategy', 'exponential-delay:initialMs=2000,maxMs=300000']));
    expect(jobManagerArgs({ restartStrategy: { type: 'none' } })).toEqual(expect.arrayContaining(['--restart-strategy', 'none']));
  });
});
