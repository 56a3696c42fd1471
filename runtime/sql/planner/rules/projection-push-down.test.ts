import { find, planWith } from '../test-support.ts';
import { projectionPushDown } from './projection-push-down.ts';
import { projectMerge } from './project-merge.ts';

describe('projection push-down', () => {
  it('reads only the columns used', () => {
    const p = planWith('SELECT c + 1 AS d FROM plain', [projectionPushDown]);
    const scan = find(p.optimized, 'TableScan')!;
    expect(scan.fields.map((f) => f.name)).toEqual(['c']);
    expect(scan.projection).toEqual([2]);
    expect(p.optimized.fields.map((f) => f.name)).toEqual(['d']);
  });

  it('keeps one column for COUNT(*)-like projections and merges stacked projections first', () => {
    const p = planWith('SELECT 1 AS one FROM (SELECT b FROM (SELECT a, b FROM plain))', [projectMerge, projectionPushDown]);
    expect(find(p.optimized, 'TableScan')!.fields).toHaveLength(1);
  });
});

describe('dynamic table options', () => {
  it('override the WITH options of the scanned table for one query', () => {
    const p = planWith("SELECT a FROM plain /*+ OPTIONS('rows-per-second' = '5') */", []);
    expect(find(p.optimized, 'TableScan')!.table.options).toEqual({ connector: 'datagen', 'rows-per-second': '5' });
  });
});
