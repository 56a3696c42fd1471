// Removes what an earlier operator test run left in the shared cluster, through the operator's
// own finalizers: `node test/operator/support/cleanup-run.ts <run-id> [...]` (a run id is the
// value of the millrace.dev/test-instance label, for example run-7d99d0). For each run it starts
// an in-process operator watching that run's objects, deletes its Workspaces and Namespaces
// (Namespaces delete their Deployments and pods first), and waits until they and the run's
// Queues are gone: a Queue left with the finalizer of an earlier operator version in a
// Terminating Kubernetes namespace is released by the operator, which finishes that deletion.
import { API, startInProcessOperator, TEST_INSTANCE_LABEL, useOperatorCluster, waitFor } from './harness.ts';
import type { KubeObject } from '../../../operator/kube/rest-client.ts';

const runs = process.argv.slice(2);
if (runs.length === 0 || runs.some((r) => !/^run-[0-9a-f]{6}$/.test(r))) {
  process.stderr.write('usage: node test/operator/support/cleanup-run.ts run-xxxxxx [run-yyyyyy ...]\n');
  process.exit(64);
}
const cluster = await useOperatorCluster();
const { rest } = cluster;
for (const run of runs) {
  const selector = `${TEST_INSTANCE_LABEL}=${run}`;
  const operator = await startInProcessOperator(cluster, { watchSelector: selector });
  const kinds = [{ apiVersion: API, kind: 'Workspace' }, { apiVersion: API, kind: 'Namespace' }];
  const counted = [...kinds, { apiVersion: API, kind: 'Queue' }];
  const left = async () => (await Promise.all(counted.map(async (k) => (await rest.list<KubeObject>(k, { labelSelector: selector })).items.length))).reduce((a, b) => a + b, 0);
  for (const k of kinds) for (const o of (await rest.list<KubeObject>(k, { labelSelector: selector })).items) await rest.delete({ ...k, name: o.metadata.name });
  try {
    await waitFor(`objects of ${run} deleted`, async () => (await left()) === 0, 600_000, 2000);
    process.stderr.write(`${run}: removed\n`);
  } catch (err) {
    process.stderr.write(`${run}: ${String(err)}\n`);
  } finally {
    await operator.stop();
  }
}
