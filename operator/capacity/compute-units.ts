// CU sizing. 1 CU = 1 CPU core + 4 GiB memory + 20 GB ephemeral storage. Requests equal
// limits (Guaranteed QoS), so a pod holds exactly what the queue quota accounts for it.
// CU come in steps of 0.25, so quantities are exact: 250m CPU, 1Gi memory, 5G storage.

export const CU_STEP = 0.25;

export interface ResourceQuantities {
  cpu: string;
  memory: string;
  'ephemeral-storage': string;
}

/** Quarter-CU count of a CU value; throws when the value is not a multiple of 0.25. */
export function quarters(cu: number): number {
  const q = Math.round(cu / CU_STEP);
  if (!Number.isFinite(cu) || cu < 0 || Math.abs(q * CU_STEP - cu) > 1e-9) {
    throw new RangeError(`MR_ERR_INVALID_RESOURCE: ${cu} CU is not a non-negative multiple of ${CU_STEP}`);
  }
  return q;
}

/** Kubernetes quantities for a CU amount: CPU in millicores, memory in Mi, storage in M (decimal). */
export function cuToResources(cu: number): ResourceQuantities {
  const q = quarters(cu);
  return {
    cpu: `${q * 250}m`,
    memory: `${q * 1024}Mi`,
    'ephemeral-storage': `${q * 5}G`,
  };
}

/** Sums CU without floating-point drift (everything is counted in quarters). */
export function sumCU(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += quarters(v);
  return total * CU_STEP;
}

/**
 * ResourceQuota `hard` for a CU amount: requests and limits of CPU, memory and (unless the
 * quota is scoped by PriorityClass, where the API server supports only CPU, memory and pods)
 * ephemeral storage. Pods are sized with requests = limits in fixed ratios, so CPU and memory
 * alone already bound a queue to its CU.
 */
export function cuToQuotaHard(cu: number, opts: { ephemeralStorage?: boolean } = {}): Record<string, string> {
  const r = cuToResources(cu);
  const hard: Record<string, string> = {
    'requests.cpu': r.cpu, 'limits.cpu': r.cpu,
    'requests.memory': r.memory, 'limits.memory': r.memory,
  };
  if (opts.ephemeralStorage ?? true) {
    hard['requests.ephemeral-storage'] = r['ephemeral-storage'];
    hard['limits.ephemeral-storage'] = r['ephemeral-storage'];
  }
  return hard;
}

/**
 * The CU a queue ResourceQuota holds, read back from its `hard` (requests.cpu: '2500m', '2' or
 * '2.5'); undefined when it is absent or not in that form. CPU alone: 1 CU = 1 core.
 */
export function cuOfQuotaHard(hard: Record<string, string> | undefined): number | undefined {
  const cpu = hard?.['requests.cpu'];
  const m = cpu === undefined ? null : /^(\d+(?:\.\d+)?)(m?)$/.exec(cpu);
  if (!m) return undefined;
  const cores = m[2] === 'm' ? Number(m[1]) / 1000 : Number(m[1]);
  return Math.round(cores / CU_STEP) * CU_STEP;
}
