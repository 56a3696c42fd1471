import { credentialsFingerprint, namespacePrefixes, sessionPolicy } from './session-policy.ts';

describe('session policy of a namespace\'s storage credentials', () => {
  test('covers exactly the namespace\'s prefixes of DESIGN\'s layout under the workspace prefix', () => {
    expect(namespacePrefixes('ws/', 'team-a')).toEqual({
      readWrite: ['ws/flink-jobs/team-a/', 'ws/flink-savepoints/team-a/', 'ws/flink-sessionclusters/team-a/', 'ws/logs/namespaces/team-a/'],
      readOnly: ['ws/artifacts/namespaces/team-a/', 'ws/sql-artifacts/namespaces/team-a/'],
    });
  });

  test('objects: read in all of them, write only outside the artifacts; listing only with a prefix inside them', () => {
    const policy = JSON.parse(sessionPolicy('bkt', namespacePrefixes('', 'a'))) as { Statement: Array<{ Action: string[]; Resource: string[]; Condition?: unknown }> };
    const [read, write, list] = policy.Statement;
    expect(read?.Resource).toContain('arn:aws:s3:::bkt/flink-jobs/a/*');
    expect(read?.Resource).toContain('arn:aws:s3:::bkt/artifacts/namespaces/a/*');
    expect(write?.Action).toContain('s3:PutObject');
    expect(write?.Resource).toContain('arn:aws:s3:::bkt/flink-savepoints/a/*');
    expect(write?.Resource).not.toContain('arn:aws:s3:::bkt/artifacts/namespaces/a/*');
    expect(list).toEqual(expect.objectContaining({ Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::bkt'] }));
    expect(JSON.stringify(list?.Condition)).toContain('flink-jobs/a/*');
    // no statement reaches another namespace or the bucket root
    expect(JSON.stringify(policy)).not.toMatch(/:::bkt\/\*|"\*"/);
  });

  test('the fingerprint changes with the policy, the workspace key, the role and the lifetime', () => {
    const base = { policy: 'p', workspaceAccessKeyId: 'k', durationSeconds: 3600 };
    const f = credentialsFingerprint(base);
    expect(credentialsFingerprint({ ...base })).toBe(f);
    for (const other of [{ ...base, policy: 'q' }, { ...base, workspaceAccessKeyId: 'k2' }, { ...base, roleArn: 'arn:aws:iam::1:role/r' }, { ...base, durationSeconds: 900 }]) {
      expect(credentialsFingerprint(other)).not.toBe(f);
    }
    expect(f).not.toContain('k');
  });
});
