import { apiServerAddresses } from './api-server-addresses.ts';
import type { KubeObject } from '../../kube/rest-client.ts';

const endpoints = (...ips: string[]): KubeObject => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default' }, subsets: [{ addresses: ips.map((ip) => ({ ip })) }] } as KubeObject);

function fakeRest(answer: () => Promise<KubeObject | undefined>) {
  let reads = 0;
  return {
    get reads() { return reads; },
    getOrUndefined: async <T extends KubeObject>() => { reads += 1; return (await answer()) as T | undefined; },
  };
}

test('the Endpoints are read once per TTL, and overlapping reads share one request', async () => {
  let now = 0;
  const clock = { now: () => now };
  let ips = ['10.0.0.1'];
  const rest = fakeRest(async () => endpoints(...ips));
  const [a, b] = await Promise.all([apiServerAddresses(rest, clock, 1000), apiServerAddresses(rest, clock, 1000)]);
  expect(a).toEqual(['10.0.0.1']);
  expect(b).toEqual(['10.0.0.1']);
  expect(rest.reads).toBe(1);
  ips = ['10.0.0.2', '10.0.0.3'];
  now = 999;
  expect(await apiServerAddresses(rest, clock, 1000)).toEqual(['10.0.0.1']);
  expect(rest.reads).toBe(1);
  now = 1000;
  expect(await apiServerAddresses(rest, clock, 1000)).toEqual(['10.0.0.2', '10.0.0.3']);
  expect(rest.reads).toBe(2);
});

test('an unreadable Endpoints gives no address and is not cached', async () => {
  const clock = { now: () => 0 };
  let fail = true;
  const rest = fakeRest(async () => { if (fail) throw new Error('forbidden'); return endpoints('10.0.0.9'); });
  expect(await apiServerAddresses(rest, clock)).toEqual([]);
  fail = false;
  expect(await apiServerAddresses(rest, clock)).toEqual(['10.0.0.9']);
  expect(rest.reads).toBe(2);
});
