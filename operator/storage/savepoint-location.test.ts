import { savepointDirectory } from './savepoint-location.ts';

const owner = { bucket: 'team-bucket', prefix: 'tenant/', namespace: 'team-a', deployment: 'orders' };

describe('which savepoint directory the operator may delete', () => {
  test('the savepoint\'s own directory in the workspace bucket, with or without the trailing slash', () => {
    expect(savepointDirectory('s3://team-bucket/tenant/flink-savepoints/team-a/orders/savepoint-0f3a_b-1/', owner))
      .toEqual({ allowed: true, bucket: 'team-bucket', key: 'tenant/flink-savepoints/team-a/orders/savepoint-0f3a_b-1/' });
    expect(savepointDirectory('s3://team-bucket/tenant/flink-savepoints/team-a/orders/savepoint-7', owner))
      .toEqual({ allowed: true, bucket: 'team-bucket', key: 'tenant/flink-savepoints/team-a/orders/savepoint-7/' });
    expect(savepointDirectory('s3://b1/flink-savepoints/n/d/savepoint-1/', { bucket: 'b1', prefix: '', namespace: 'n', deployment: 'd' })).toMatchObject({ allowed: true, key: 'flink-savepoints/n/d/savepoint-1/' });
  });

  test.each([
    ['a local path', 'file:///var/lib/millrace/flink-savepoints/team-a/orders/savepoint-1/', /is not in an S3 bucket/],
    ['another bucket', 's3://other/tenant/flink-savepoints/team-a/orders/savepoint-1/', /in bucket other, not in the workspace bucket team-bucket/],
    ['another prefix', 's3://team-bucket/elsewhere/flink-savepoints/team-a/orders/savepoint-1/', /outside the savepoint directory/],
    ['checkpoints', 's3://team-bucket/tenant/flink-jobs/team-a/orders/j1/chk-3/', /outside the savepoint directory/],
    ['another deployment', 's3://team-bucket/tenant/flink-savepoints/team-a/billing/savepoint-1/', /outside the savepoint directory of deployment team-a\/orders/],
    ['the deployment\'s whole savepoint directory', 's3://team-bucket/tenant/flink-savepoints/team-a/orders/', /not a savepoint-<id> directory/],
    ['a file inside a savepoint', 's3://team-bucket/tenant/flink-savepoints/team-a/orders/savepoint-1/_metadata', /not a savepoint-<id> directory/],
    ['a parent reference', 's3://team-bucket/tenant/flink-savepoints/team-a/orders/savepoint-1/../../', /'\.\.'/],
    ['a double slash', 's3://team-bucket/tenant//flink-savepoints/team-a/orders/savepoint-1/', /empty/],
  ])('refuses %s, naming the path and the allowed directory', (_what, path, why) => {
    const r = savepointDirectory(path, owner);
    expect(r.allowed).toBe(false);
    if (r.allowed) return;
    expect(r.reason).toMatch(why);
    expect(r.reason).toContain('only under s3://team-bucket/tenant/flink-savepoints/team-a/orders/savepoint-<id>/');
  });
});
