import { decideAdmission } from './admission.ts';
import type { AdmissionCandidate } from './admission.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
const dep = (name: string, minute: number, requiredCU: number, extra: Partial<AdmissionCandidate> = {}): AdmissionCandidate =>
  ({ name, creationTimestamp: at(minute), requiredCU, admitted: false, wantsToRun: true, ...extra });

describe('queue admission', () => {
  test('admits in arrival order while the whole deployment fits', () => {
    const r = decideAdmission(4, 'q', [dep('c', 3, 2), dep('a', 1, 2), dep('b', 2, 2)]);
    expect(r.decisions.get('a')).toEqual({ admitted: true });
    expect(r.decisions.get('b')).toEqual({ admitted: true });
    expect(r.decisions.get('c')).toMatchObject({ admitted: false, position: 1 });
    expect(r.usedCU).toBe(4);
    expect(r.queued).toBe(1);
  });
  test('already admitted deployments keep their CU ahead of older waiting ones', () => {
    const r = decideAdmission(4, 'q', [dep('old', 1, 3), dep('running', 5, 2, { admitted: true })]);
    expect(r.decisions.get('running')).toEqual({ admitted: true });
    const old = r.decisions.get('old');
    expect(old).toMatchObject({ admitted: false });
    expect(old && !old.admitted && old.reason).toBe('needs 3 CU, queue q has 2 of 4 CU free');
  });
  test('first come first served: a younger small deployment does not overtake an older large one', () => {
    const r = decideAdmission(4, 'q', [dep('run', 0, 2, { admitted: true }), dep('big', 1, 3), dep('small', 2, 1)]);
    expect(r.decisions.get('big')).toMatchObject({ admitted: false, position: 1 });
    const small = r.decisions.get('small');
    expect(small).toMatchObject({ admitted: false, position: 2 });
    expect(small && !small.admitted && small.reason).toMatch(/waiting behind 1 older deployment/);
  });
  test('a deployment larger than the whole queue is reported and does not block others', () => {
    const r = decideAdmission(4, 'q', [dep('huge', 0, 5), dep('ok', 1, 1)]);
    const huge = r.decisions.get('huge');
    expect(huge && !huge.admitted && huge.reason).toMatch(/only 4 CU in total/);
    expect(r.decisions.get('ok')).toEqual({ admitted: true });
  });
  test('suspended or cancelled deployments hold nothing and are not queued', () => {
    const r = decideAdmission(2, 'q', [dep('s', 0, 2, { admitted: true, wantsToRun: false }), dep('n', 1, 2)]);
    expect(r.decisions.has('s')).toBe(false);
    expect(r.decisions.get('n')).toEqual({ admitted: true });
  });
  test('a stopping deployment holds its CU until its pods are gone', () => {
    const r = decideAdmission(2, 'q', [dep('stopping', 0, 2, { admitted: true, wantsToRun: false, holdsPods: true }), dep('n', 1, 2)]);
    expect(r.decisions.get('n')).toMatchObject({ admitted: false });
  });
  test('ties on creation time are broken by name', () => {
    const r = decideAdmission(1, 'q', [dep('b', 0, 1), dep('a', 0, 1)]);
    expect(r.decisions.get('a')).toEqual({ admitted: true });
    expect(r.decisions.get('b')).toMatchObject({ admitted: false });
  });
});
