// How long a USED refresh (usage-refresh.ts) of a Namespace, Workspace or Queue waits to gather
// the Deployment changes behind it. Each object is refreshed at most once per window, so a wave
// of Deployments spread over n objects of a kind costs n patches per window: with a fixed 1 s,
// 10,000 Deployments over 50 namespaces paid 50 namespace and 50 queue patches a second for as
// long as the wave lasted, about as many requests as the creations themselves. The window grows
// with the number of objects so the patches of one kind stay near 10 a second, within 1 to 10 s of
// staleness a person reading `kubectl get` does not mind.
export const USAGE_REFRESH_MIN_MS = 1000;
export const USAGE_REFRESH_MAX_MS = 10_000;
/** Per object of the kind: 100 ms, i.e. about 10 refreshes a second of that kind at most. */
const PER_OBJECT_MS = 100;

export function usageRefreshDelayMs(objectsOfKind: number): number {
  return Math.min(USAGE_REFRESH_MAX_MS, Math.max(USAGE_REFRESH_MIN_MS, Math.ceil(objectsOfKind) * PER_OBJECT_MS));
}
