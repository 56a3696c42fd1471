import { JOB_SECRET_LABEL, secretAccessProblem } from './secret-access.ts';

const allowed = { labels: { [JOB_SECRET_LABEL]: 'true' } };

describe('which listed Secrets a job may mount', () => {
  test('Secrets labelled for jobs are allowed', () => {
    expect(secretAccessProblem('ns', ['db', 'kafka'], new Map([['db', allowed], ['kafka', allowed]]))).toBeUndefined();
  });

  test('a missing Secret names the field and how to fix it', () => {
    expect(secretAccessProblem('ns', ['db', 'gone'], new Map([['db', allowed], ['gone', undefined]]))).toEqual({
      reason: 'SecretNotFound',
      message: expect.stringMatching(/^spec\.secrets\[1\]: Secret 'gone' does not exist in namespace ns; create it \(labelled millrace\.dev\/job-secret=true\)/),
    });
  });

  test('an unlabelled Secret is refused with the kubectl command that allows it', () => {
    const problem = secretAccessProblem('ns', ['db'], new Map([['db', { labels: { app: 'x' } }]]));
    expect(problem).toMatchObject({ reason: 'SecretNotAllowed' });
    expect(problem?.message).toContain('kubectl label secret db -n ns millrace.dev/job-secret=true');
  });

  test("the operator's own Secrets are never mounted, even when labelled", () => {
    const problem = secretAccessProblem('ns', ['bids-auth'], new Map([['bids-auth', { labels: { 'app.kubernetes.io/managed-by': 'millrace-operator', [JOB_SECRET_LABEL]: 'true' } }]]));
    expect(problem).toMatchObject({ reason: 'SecretNotAllowed', message: expect.stringContaining('managed by the operator') });
  });
});
