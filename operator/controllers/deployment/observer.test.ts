import type { JobManagerClient, JobManagerClientFactory } from '../../jobmanager/client.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import type { ReconcileContext } from '../shared/context.ts';
import { observeDeployment } from './observer.ts';

function jmPod(phase: string | undefined): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'd-jm-abc', namespace: 'n', labels: { 'millrace.dev/spec-hash': 'h1' } }, spec: { containers: [{ resources: { limits: { cpu: '250m' } } }] }, status: phase ? { phase } : {} };
}

function setup(pods: KubeObject[]) {
  const asked: string[] = [];
  const client = {
    listJobs: async () => { asked.push('listJobs'); return [{ id: 'j1', state: 'RUNNING' }]; },
    job: async (id: string) => { asked.push(`job ${id}`); return { id, state: 'RUNNING' }; },
  } as unknown as JobManagerClient;
  const factory: JobManagerClientFactory = () => client;
  const ctx = { clock: { now: () => 0 }, caches: { pods: { byIndex: () => pods } } } as unknown as ReconcileContext;
  return { asked, observe: () => observeDeployment(ctx, factory, 'n', 'd', undefined) };
}

describe('observing a Deployment', () => {
  test.each([undefined, 'Pending'])('no JobManager request while its pod is %s: the status says why it waits', async (phase) => {
    const { asked, observe } = setup([jmPod(phase)]);
    const observed = await observe();
    expect(asked).toEqual([]);
    expect(observed).toMatchObject({ jobManagerHash: 'h1', jobManagerError: 'JobManager pod d-jm-abc is Pending' });
    expect(observed.job).toBeUndefined();
  });

  test('a Running JobManager pod is asked for its job', async () => {
    const { asked, observe } = setup([jmPod('Running')]);
    const observed = await observe();
    expect(asked).toEqual(['listJobs', 'job j1']);
    expect(observed.job).toMatchObject({ id: 'j1', state: 'RUNNING' });
  });
});
