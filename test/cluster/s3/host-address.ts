import { networkInterfaces } from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';
import { networkPlan } from '../kube/network-plan.ts';

/**
 * The node tier's host address (where pods reach this machine) when it is configured on an
 * interface here, i.e. while the local cluster runs; `s3:up` then listens there too.
 */
export function localClusterHostAddress(
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
  address: string = networkPlan.hostAddress,
): string | undefined {
  const present = Object.values(interfaces).some((infos) => infos?.some((info) => info.address === address));
  return present ? address : undefined;
}
