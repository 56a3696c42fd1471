import { parseStorageUri } from './storage-uri.ts';

describe('storage URIs select the backend', () => {
  test('s3://bucket/prefix selects S3 with a normalised prefix', () => {
    expect(parseStorageUri('s3://millrace-ws/tenants/a')).toEqual({ kind: 's3', bucket: 'millrace-ws', prefix: 'tenants/a/' });
    expect(parseStorageUri('s3://millrace-ws/tenants//a/')).toEqual({ kind: 's3', bucket: 'millrace-ws', prefix: 'tenants/a/' });
    expect(parseStorageUri('s3://millrace-ws')).toEqual({ kind: 's3', bucket: 'millrace-ws', prefix: '' });
    expect(parseStorageUri('s3a://millrace-ws/x')).toEqual({ kind: 's3', bucket: 'millrace-ws', prefix: 'x/' });
  });

  test('file URLs and plain paths select a local directory', () => {
    expect(parseStorageUri('file:///var/lib/millrace')).toEqual({ kind: 'local', directory: '/var/lib/millrace' });
    expect(parseStorageUri('/tmp/chk/')).toEqual({ kind: 'local', directory: '/tmp/chk' });
    expect(parseStorageUri('state/chk', '/home/me')).toEqual({ kind: 'local', directory: '/home/me/state/chk' });
  });

  test.each([
    ['', 'empty'],
    ['s3://Bad_Bucket/x', 'not a valid S3 bucket name'],
    ['s3:///x', 'not a valid S3 bucket name'],
    ['s3://bucket/a/../b', "'.' or '..'"],
    ['gs://bucket/x', 'unsupported scheme'],
    ['file://host/x', 'not a valid file URL'],
  ])('%j is refused with MR_ERR_STORAGE_URI (%s)', (uri, message) => {
    expect(() => parseStorageUri(uri)).toThrow(expect.objectContaining({ code: 'MR_ERR_STORAGE_URI', message: expect.stringContaining(message) }));
  });
});
