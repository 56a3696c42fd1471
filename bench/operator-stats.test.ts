import { counterBy, counterDelta, counterTotal, parseProcStatCpuSeconds, percentile } from './operator-stats.ts';

describe('operator benchmark statistics', () => {
  test('nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
  const text = '# HELP x\nmillrace_operator_reconciles_total{controller="a",result="success"} 3\nmillrace_operator_reconciles_total{controller="b",result="error"} 2\nmillrace_operator_reconciles_total{controller="a",result="error"} 1\nother 9\n';
  test('counter totals add every label set', () => {
    expect(counterTotal(text, 'millrace_operator_reconciles_total')).toBe(6);
    expect(counterTotal('plain_total 4\n', 'plain_total')).toBe(4);
  });
  test('counters grouped by labels, and their change between two readings', () => {
    const before = counterBy(text, 'millrace_operator_reconciles_total', ['controller']);
    expect(before).toEqual({ a: 4, b: 2 });
    const after = counterBy(text.replace('} 2', '} 7'), 'millrace_operator_reconciles_total', ['controller']);
    expect(counterDelta(before, after)).toEqual({ b: 5 });
  });
  test('CPU seconds from /proc/<pid>/stat, with a command name holding spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 11 0 100 1000000 5000 18446744073709551615';
    expect(parseProcStatCpuSeconds(stat, 100)).toBe(3);
  });
});
