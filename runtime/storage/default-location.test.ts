import { resolveStorageUri } from './default-location.ts';

describe('default storage location', () => {
  test('an explicit URI wins, then MILLRACE_CHECKPOINT_STORAGE', () => {
    expect(resolveStorageUri('s3://b/x', { MILLRACE_CHECKPOINT_STORAGE: '/var/x', MILLRACE_S3_BUCKET: 'ws' }, '/home/me')).toBe('s3://b/x');
    expect(resolveStorageUri(undefined, { MILLRACE_CHECKPOINT_STORAGE: '/var/x', MILLRACE_S3_BUCKET: 'ws' }, '/home/me')).toBe('/var/x');
  });

  test('the workspace bucket when one is configured', () => {
    expect(resolveStorageUri(undefined, { MILLRACE_S3_BUCKET: 'ws-bucket' }, '/home/me')).toBe('s3://ws-bucket/');
    expect(resolveStorageUri('  ', { MILLRACE_S3_BUCKET: 'ws-bucket', MILLRACE_S3_PREFIX: '/tenant-a/' }, '/home/me')).toBe('s3://ws-bucket/tenant-a/');
  });

  test('otherwise a local directory under the XDG state home', () => {
    expect(resolveStorageUri(undefined, {}, '/home/me')).toBe('/home/me/.local/state/millrace/storage');
    expect(resolveStorageUri(undefined, { XDG_STATE_HOME: '/srv/state' }, '/home/me')).toBe('/srv/state/millrace/storage');
  });
});
