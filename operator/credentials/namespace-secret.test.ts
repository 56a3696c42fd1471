import { ANNOTATIONS, desiredCredentialsSecret, EXPIRATION_KEY, issuedCredentialsOf } from './namespace-secret.ts';

describe('the namespace\'s credentials Secret', () => {
  const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Namespace', name: 'a', uid: 'u1', controller: true };
  const secret = desiredCredentialsSecret({
    name: 'millrace-s3-credentials', namespace: 'a', labels: {}, owner, issuedAt: Date.parse('2026-01-01T00:00:00Z'), fingerprint: 'fp',
    credentials: { accessKeyId: 'AKTEMP', secretAccessKey: 'SECRET', sessionToken: 'TOKEN', expiresAt: Date.parse('2026-01-01T01:00:00Z') },
  });

  test('holds the key names the runtime reads and the expiry; the annotations name no credential', () => {
    const data = secret.data as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(['AWS_ACCESS_KEY_ID', EXPIRATION_KEY, 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'].sort());
    expect(Buffer.from(data[EXPIRATION_KEY] ?? '', 'base64').toString()).toBe('2026-01-01T01:00:00.000Z');
    expect(JSON.stringify(secret.metadata)).not.toMatch(/AKTEMP|SECRET|TOKEN/);
  });

  test('reads back what renewal needs; a copied key (no session token, no annotations) is not minted credentials', () => {
    expect(issuedCredentialsOf(secret)).toEqual({ issuedAt: Date.parse('2026-01-01T00:00:00Z'), expiresAt: Date.parse('2026-01-01T01:00:00Z'), fingerprint: 'fp' });
    expect(issuedCredentialsOf(undefined)).toBeUndefined();
    expect(issuedCredentialsOf({ ...secret, metadata: { ...secret.metadata, annotations: { [ANNOTATIONS.fingerprint]: 'fp' } } })).toBeUndefined();
    expect(issuedCredentialsOf({ ...secret, data: { AWS_ACCESS_KEY_ID: 'eA==', AWS_SECRET_ACCESS_KEY: 'eQ==' } })).toBeUndefined();
  });
});
