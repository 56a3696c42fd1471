import { counterTotal, percentile } from './operator-stats.ts';

describe('operator benchmark statistics', () => {
  test('nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
  test('counter totals add every label set', () => {
    const text = '# HELP x\nmillrace_operator_reconciles_total{controller="a",result="success"} 3\nmillrace_operator_reconciles_total{controller="b",result="error"} 2\nother 9\n';
    expect(counterTotal(text, 'millrace_operator_reconciles_total')).toBe(5);
  });
});
