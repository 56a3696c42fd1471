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
      expect(spec.priorityClassName).toBe('millrace-team-a-etl');
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      expect(p.metadata.ownerReferences).toEqual([owner]);
      expect(p.metadata.labels).toMatchObject({ 'millrace.dev/deployment': 'orders', 'millrace.dev/queue': 'etl', 'millrace.dev/spec-hash': out.hash });
    }
    expect(out.service.metadata.ownerReferences).toEqual([owner]);
    const args = (p: number) => (out.pods[p]?.spec as { containers: Array<{ args: string[] }> }).containers[0]?.args;
    expect(args(0)).toEqual(['jobmanager', '--host', '0.0.0.0', '--port', '8081', '--restart-strategy', 'fixed-delay:attempts=3,delayMs=10000']);
    expect(args(1)).toEqual(['taskmanager', '--jobmanager', 'http://orders-jobmanager.team-a.svc:8081', '--slots', '2', '--host', '$(POD_IP)', '--port', '6122']);
    expect(JSON.parse((out.config.data as Record<string, string>)['millrace.json'] ?? '{}')).toMatchObject({ parallelism: 5, source: { sql: 'SELECT 1' } });
  });
});
