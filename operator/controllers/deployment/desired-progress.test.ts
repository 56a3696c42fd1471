// What the start-up failure reporting needs from the desired pods, and what it must not change.
import { deploymentSchema } from '../../api/v1alpha1/deployment.ts';
import { classifySpecChange } from './diff.ts';
import { desiredDeploymentObjects, specHash } from './desired.ts';

const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'orders', uid: 'u-1', controller: true, blockOwnerDeletion: true };
const parse = (spec: Record<string, unknown>) => deploymentSchema.parse({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'orders', namespace: 'team-a' }, spec: { source: { pipeline: 'name: x' }, ...spec } });

test('every container keeps its termination message, falling back to the log tail when the runtime wrote none', () => {
  const out = desiredDeploymentObjects(parse({ parallelism: 2 }), { defaultImage: 'millrace:dev', owner });
  for (const p of out.pods) {
    for (const c of (p.spec as { containers: Array<Record<string, unknown>> }).containers) {
      expect(c).toMatchObject({ terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'FallbackToLogsOnError' });
    }
  }
});

test('spec.progressDeadlineSeconds changes neither the pods (hash) nor counts as an upgrade of a running job', () => {
  const a = parse({});
  const b = parse({ progressDeadlineSeconds: 30 });
  expect(specHash(a.spec)).toBe(specHash(b.spec));
  expect(classifySpecChange(a.spec, b.spec)).toEqual({ kind: 'none' });
  expect(classifySpecChange(a.spec, parse({ parallelism: 3 }).spec)).toEqual({ kind: 'upgrade', fields: ['parallelism'] });
});
