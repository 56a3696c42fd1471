// The key Secret kept while pods hold its key: the state read from the Secret and the pods, and
// what the Deployment shows for it.
import { KEY_CONDITION, KEY_FINALIZER, keyConditions, keyState } from './auth-key-protection.ts';
import type { KeyPod, KeySecretMeta } from './auth-key-protection.ts';

const uid = 'd-2';
const owner = (u: string) => [{ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'rates', uid: u }];
const secret = (m: Partial<KeySecretMeta> = {}): KeySecretMeta => ({ uid: 's-1', ownerReferences: owner(uid), finalizers: [KEY_FINALIZER], creationTimestamp: '2026-03-01T10:00:00Z', ...m });
const pod = (name: string, m: Partial<KeyPod['metadata']> = {}): KeyPod => ({ metadata: { name, ownerReferences: owner(uid), creationTimestamp: '2026-03-01T10:00:01Z', ...m } });
const running = [pod('rates-jm-0'), pod('rates-tm-0'), pod('rates-tm-1')];

test('pods holding the key keep the Secret protected; one made before this protection gets the finalizer', () => {
  expect(keyState(secret(), uid, running)).toEqual({ kind: 'ok' });
  expect(keyState(secret({ finalizers: [] }), uid, running)).toEqual({ kind: 'protect' });
  // made in the same second as its pods (timestamps have seconds): still the pods' key
  expect(keyState(secret({ creationTimestamp: '2026-03-01T10:00:01Z' }), uid, running)).toEqual({ kind: 'ok' });
});

test('a Secret deleted while pods hold its key stays until they are gone, then is let go of', () => {
  const deleting = secret({ deletionTimestamp: '2026-03-01T11:00:00Z' });
  expect(keyState(deleting, uid, running)).toEqual({ kind: 'postponed', deletedAt: '2026-03-01T11:00:00Z', pods: ['rates-jm-0', 'rates-tm-0', 'rates-tm-1'] });
  // pods terminating (suspend) or of a deleted Deployment of the same name hold nothing this one needs
  const leaving = running.map((p) => ({ metadata: { ...p.metadata, deletionTimestamp: '2026-03-01T11:01:00Z' } }));
  expect(keyState(deleting, uid, leaving)).toEqual({ kind: 'release' });
  expect(keyState(deleting, uid, [pod('rates-jm-0', { ownerReferences: owner('d-1') })])).toEqual({ kind: 'release' });
  expect(keyState(deleting, uid, [])).toEqual({ kind: 'release' });
  // no pods and nothing held: no request at all
  expect(keyState(secret({ finalizers: [] }), uid, [])).toEqual({ kind: 'ok' });
  expect(keyState(undefined, uid, [])).toEqual({ kind: 'ok' });
});

test('a key gone or replaced under running pods is reported as lost', () => {
  expect(keyState(undefined, uid, running)).toEqual({ kind: 'lost', why: 'deleted', pods: ['rates-jm-0', 'rates-tm-0', 'rates-tm-1'] });
  // re-created by hand after the pods started (another key than theirs), even with the right owner
  expect(keyState(secret({ creationTimestamp: '2026-03-01T10:05:00Z' }), uid, running)).toMatchObject({ kind: 'lost', why: 'replaced' });
  expect(keyState(secret({ ownerReferences: owner('d-1') }), uid, running)).toMatchObject({ kind: 'lost', why: 'replaced' });
  // a pod made later (a replaced TaskManager) does not make the older ones' key any newer
  expect(keyState(secret(), uid, [...running, pod('rates-tm-2', { creationTimestamp: '2026-03-01T12:00:00Z' })])).toEqual({ kind: 'ok' });
});

test('the condition names the Secret, the pods and the way to a new key; it clears once the key is in place', () => {
  const [postponed] = keyConditions({ kind: 'postponed', deletedAt: '2026-03-01T11:00:00Z', pods: ['a', 'b', 'c', 'd', 'e'] }, 'team-a', 'rates', undefined);
  expect(postponed).toMatchObject({ type: KEY_CONDITION, status: 'True', reason: 'KeyDeletionPostponed' });
  expect(postponed!.message).toContain('Secret team-a/rates-auth (the Deployment\'s key) was deleted at 2026-03-01T11:00:00Z while pods a, b, c and 2 more hold its key');
  expect(postponed!.message).toContain(`finalizer ${KEY_FINALIZER}`);
  expect(postponed!.message).toContain('suspend the Deployment');
  const [lost] = keyConditions({ kind: 'lost', why: 'deleted', pods: ['a'] }, 'team-a', 'rates', undefined);
  expect(lost).toMatchObject({ status: 'True', reason: 'KeyLost' });
  expect(lost!.message).toMatch(/^Secret team-a\/rates-auth \(the Deployment's key\) is gone while pods a run; no pod is made with another key/);
  // no condition on a Deployment that never had a problem; False once one is over
  expect(keyConditions({ kind: 'ok' }, 'team-a', 'rates', [])).toEqual([]);
  const before = [{ type: KEY_CONDITION, status: 'True' as const, reason: 'KeyLost', message: 'x', lastTransitionTime: '2026-03-01T11:00:00Z' }];
  expect(keyConditions({ kind: 'ok' }, 'team-a', 'rates', before)).toEqual([{ type: KEY_CONDITION, status: 'False', reason: 'KeyInPlace', message: 'Secret team-a/rates-auth holds the key of the Deployment\'s pods' }]);
  expect(keyConditions({ kind: 'release' }, 'team-a', 'rates', before)).toEqual([{ type: KEY_CONDITION, status: 'False', reason: 'KeyReleased', message: 'no pod of the Deployment holds the old key any more; the next start makes Secret team-a/rates-auth with a new key' }]);
});
