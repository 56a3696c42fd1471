// An in-process operator for the security tests on the control-plane tier, and the removal of the
// Workspaces a test file made (their finalizers delete their Namespaces first, which needs an
// operator running), unless the control plane is thrown away after the run anyway.
import { controlPlaneIsThrowaway } from '../../cluster/environment.ts';
import type { KubeObject } from '../../../operator/kube/rest-client.ts';
import type { Operator } from '../../../operator/manager.ts';
import { API, startInProcessOperator, TEST_WATCH_SELECTOR, waitFor } from '../../operator/support/harness.ts';
import type { Cluster } from '../../operator/support/harness.ts';

export async function stopOperatorAfterCleanup(cluster: Cluster | undefined, operator: Operator | undefined): Promise<void> {
  if (!cluster) return;
  if (await controlPlaneIsThrowaway()) { await operator?.stop(); return; }
  const cleaner = operator ?? await startInProcessOperator(cluster);
  const kind = { apiVersion: API, kind: 'Workspace' };
  for (const w of (await cluster.rest.list<KubeObject>(kind, { labelSelector: TEST_WATCH_SELECTOR })).items) await cluster.rest.delete({ ...kind, name: w.metadata.name });
  await waitFor('workspaces of this file deleted', async () => (await cluster.rest.list<KubeObject>(kind, { labelSelector: TEST_WATCH_SELECTOR })).items.length === 0, 120_000, 1000)
    .catch((err: unknown) => process.stderr.write(`[security tests] cleanup incomplete: ${String(err)}\n`));
  await cleaner.stop();
}
