// The API server's addresses for the NetworkPolicy of a Deployment (its service proxy is how
// members reach a JobManager), read from the Endpoints of default/kubernetes. They change only
// when API servers come or go, yet were read once per Deployment created (1 of the 12.6 API
// requests of a creation in bench:operator); now once per TTL, and reads that overlap share one
// request. A policy written within the TTL after a change carries the old addresses until the
// Deployment's pods are made again, as before with a read that raced the change.
import type { Clock } from '../../kube/clock.ts';
import type { KubeObject, KubeRest } from '../../kube/rest-client.ts';
import { apiServerAddressesOf } from './network-policy.ts';

export const API_SERVER_ADDRESSES_TTL_MS = 30_000;

type Reader = Pick<KubeRest, 'getOrUndefined'>;

interface Entry { at: number; addresses: Promise<string[]> }
const cached = new WeakMap<Reader, Entry>();

/** The addresses (none if unreadable), read at most once per TTL per client. */
export function apiServerAddresses(rest: Reader, clock: Pick<Clock, 'now'>, ttlMs = API_SERVER_ADDRESSES_TTL_MS): Promise<string[]> {
  const now = clock.now();
  const hit = cached.get(rest);
  if (hit && now - hit.at < ttlMs) return hit.addresses;
  const addresses = rest.getOrUndefined<KubeObject>({ apiVersion: 'v1', kind: 'Endpoints', namespace: 'default', name: 'kubernetes' })
    .then(apiServerAddressesOf, () => {
      // Unreadable: no address now, and the next Deployment asks again.
      if (cached.get(rest)?.addresses === addresses) cached.delete(rest);
      return [] as string[];
    });
  cached.set(rest, { at: now, addresses });
  return addresses;
}
