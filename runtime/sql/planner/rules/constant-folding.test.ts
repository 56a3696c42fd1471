import { literal, call } from '../rex.ts';
import type { Rex } from '../rex.ts';
import { T } from '../../types/data-type.ts';
import { foldRex } from './constant-folding.ts';
import { constantFolding } from './constant-folding.ts';
import { explain, planWith } from '../test-support.ts';

const B = T.boolean();
const t = literal(true, T.boolean(false));
const f = literal(false, T.boolean(false));
const n = literal(null, T.boolean(true));
const x: Rex = { kind: 'inputRef', index: 0, type: T.boolean() };
const value = (r: Rex): unknown => (r.kind === 'literal' ? r.value : r.kind);

describe('constant folding', () => {
  it('follows three-valued logic', () => {
    expect(value(foldRex(call('AND', [n, f], B)))).toBe(false);
    expect(value(foldRex(call('AND', [n, t], B)))).toBe(null);
    expect(value(foldRex(call('OR', [n, t], B)))).toBe(true);
    expect(value(foldRex(call('OR', [n, f], B)))).toBe(null);
    expect(value(foldRex(call('NOT', [n], B)))).toBe(null);
    expect(value(foldRex(call('IS NULL', [n], T.boolean(false))))).toBe(true);
    expect(foldRex(call('AND', [x, t], B))).toBe(x);
    expect(value(foldRex(call('OR', [x, t], B)))).toBe(true);
  });

  it('computes DECIMAL and BIGINT exactly and leaves overflow to run time', () => {
    const d = (s: string, p: number, sc: number): Rex => literal(s, T.decimal(p, sc, false));
    expect(value(foldRex(call('+', [d('0.1', 2, 1), d('0.2', 2, 1)], T.decimal(3, 1, false))))).toBe('0.3');
    expect(value(foldRex(call('*', [d('0.908', 4, 3), literal('9007199254740993', T.bigint(false))], T.decimal(23, 3, false))))).toBe('8178536923304821.644');
    expect(value(foldRex(call('+', [literal('9007199254740993', T.bigint(false)), literal(1, T.int(false))], T.bigint(false))))).toBe('9007199254740994');
    expect(foldRex(call('+', [literal(2147483647, T.int(false)), literal(1, T.int(false))], T.int(false))).kind).toBe('call');
    expect(value(foldRex(call('<', [d('1.50', 3, 2), literal(2, T.int(false))], T.boolean(false))))).toBe(true);
  });

  it('removes a filter that is always true', () => {
    const p = planWith("SELECT a FROM plain WHERE 1 + 1 = 2 AND 'a' = 'a'", [constantFolding]);
    expect(explain(p.optimized)).not.toContain('where=');
  });
});
