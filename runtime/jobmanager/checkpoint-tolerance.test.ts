// A storage outage fails checkpoints; a Deployment tolerates spec.checkpoints.tolerableFailures
// (default 3) of them in a row before failing over. The operator's ConfigMap carries the value to
// the JobManager; a flag still wins.
import { deploymentSchema } from '../../operator/api/v1alpha1/deployment.ts';
import { desiredDeploymentObjects } from '../../operator/controllers/deployment/desired.ts';
import { jobManagerCheckpointConfig, parseConfigFile } from './jobmanager-config.ts';

const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'orders', uid: 'u-1' };
const configOf = (spec: Record<string, unknown>) => {
  const d = deploymentSchema.parse({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'orders', namespace: 'team-a' }, spec: { source: { pipeline: 'source: { type: nexmark }\nsink: { type: blackhole }\n' }, ...spec } });
  const file = (desiredDeploymentObjects(d, { defaultImage: 'millrace:dev', owner }).files)['millrace.json'] ?? '{}';
  return jobManagerCheckpointConfig({}, parseConfigFile(file, 'millrace.json'), {}, '/home/u');
};

describe('tolerable checkpoint failures of an operator-made JobManager', () => {
  test('default 3: a JobManager made by the operator does not fail over at the first checkpoint a storage outage fails', () => {
    expect(configOf({}).settings.tolerableFailures).toBe(3);
  });

  test('spec.checkpoints.tolerableFailures reaches the JobManager; the flag still wins', () => {
    expect(configOf({ checkpoints: { intervalSeconds: 10, tolerableFailures: 12 } }).settings.tolerableFailures).toBe(12);
    const file = parseConfigFile(JSON.stringify({ checkpoints: { tolerableFailures: 12 } }), 'f');
    expect(jobManagerCheckpointConfig({ tolerableFailedCheckpoints: 0 }, file, {}, '/home/u').settings.tolerableFailures).toBe(0);
  });

  test('a negative value is refused naming the field', () => {
    expect(() => deploymentSchema.parse({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'o', namespace: 'n' }, spec: { source: { sql: 'x' }, checkpoints: { tolerableFailures: -1 } } })).toThrow(/tolerableFailures/);
  });
});
