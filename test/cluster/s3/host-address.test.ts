import type { NetworkInterfaceInfo } from 'node:os';
import { localClusterHostAddress } from './host-address.ts';

const info = (address: string): NetworkInterfaceInfo => ({ address, netmask: '255.255.255.255', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: `${address}/32` });

describe('the host address s3:up listens on besides loopback', () => {
  test('is the cluster host address while an interface here carries it', () => {
    expect(localClusterHostAddress({ lo: [info('127.0.0.1')], millrace0: [info('10.245.0.1')] }, '10.245.0.1')).toBe('10.245.0.1');
  });

  test('is none while the cluster is down', () => {
    expect(localClusterHostAddress({ lo: [info('127.0.0.1')], eth0: [info('192.0.2.10')] }, '10.245.0.1')).toBeUndefined();
  });
});
