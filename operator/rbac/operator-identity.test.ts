import { serviceAccountOf } from './operator-identity.ts';

test('only a ServiceAccount username names a ServiceAccount', () => {
  expect(serviceAccountOf('system:serviceaccount:millrace-system:millrace')).toEqual({ namespace: 'millrace-system', name: 'millrace' });
  expect(serviceAccountOf('kubernetes-admin')).toBeUndefined();
  expect(serviceAccountOf('system:serviceaccount:ns')).toBeUndefined();
  expect(serviceAccountOf('system:serviceaccount:ns:a:b')).toBeUndefined();
  expect(serviceAccountOf(undefined)).toBeUndefined();
});
