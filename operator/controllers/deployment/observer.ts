// Reflects the outside world of one Deployment: its pods (from the pod cache) and its job
// (from the JobManager REST API, only when a JobManager pod runs: a Pending pod has no server to
// ask, and with thousands of Deployments waiting for nodes those requests would be the operator's
// main work; the pod's change to Running wakes the Deployment).
import type { JobManagerClientFactory } from '../../jobmanager/client.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { LABELS, podsOfDeployment } from '../shared/context.ts';
import type { ReconcileContext } from '../shared/context.ts';
import type { Observation, ObservedPod } from './decide.ts';
import { classifyPod } from './pod-problems.ts';

function podCU(pod: KubeObject): number {
  const spec = pod.spec as { containers?: Array<{ resources?: { limits?: { cpu?: string } } }> } | undefined;
  const cpu = spec?.containers?.[0]?.resources?.limits?.cpu ?? '0';
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
}

export function observePods(ctx: ReconcileContext, namespace: string, name: string): ObservedPod[] {
  const now = ctx.clock.now();
  return podsOfDeployment(ctx, namespace, name)
    .map((p) => {
      const problem = classifyPod(p, now);
      return {
        name: p.metadata.name,
        hash: p.metadata.labels?.[LABELS.specHash],
        phase: (p.status as { phase?: string } | undefined)?.phase,
        cu: podCU(p),
        terminating: Boolean(p.metadata.deletionTimestamp),
        ...(problem ? { problem } : {}),
      };
    });
}

export async function observeDeployment(ctx: ReconcileContext, jobManagers: JobManagerClientFactory, namespace: string, name: string, knownJobId: string | undefined): Promise<Observation> {
  const pods = observePods(ctx, namespace, name);
  const jm = pods.find((p) => p.name.startsWith(`${name}-jm-`) && !p.terminating);
  if (!jm) return { pods };
  if (jm.phase !== 'Running') return { pods, jobManagerHash: jm.hash, jobManagerError: `JobManager pod ${jm.name} is ${jm.phase ?? 'Pending'}` };
  try {
    const client = jobManagers({ namespace, name });
    const jobs = await client.listJobs();
    const current = jobs.find((j) => j.id === knownJobId) ?? jobs[jobs.length - 1];
    if (!current) return { pods, jobManagerHash: jm.hash, jobManagerError: 'JobManager reports no job yet' };
    return { pods, jobManagerHash: jm.hash, job: await client.job(current.id) };
  } catch (err) {
    return { pods, jobManagerHash: jm.hash, jobManagerError: (err as Error).message };
  }
}
