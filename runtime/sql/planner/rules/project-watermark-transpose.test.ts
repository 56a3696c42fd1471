import { find, kinds, plan, planWith } from '../test-support.ts';
import { projectWatermarkTranspose } from './project-watermark-transpose.ts';

describe('projection below the watermark assigner', () => {
  it('drops unread columns before the watermark, keeping the rowtime column and the filter columns', () => {
    const p = planWith('SELECT url FROM clicks WHERE user_id > 1', [projectWatermarkTranspose]);
    const wa = find(p.optimized, 'WatermarkAssigner')!;
    expect(wa.fields.map((f) => f.name)).toEqual(['user_id', 'url', 'ts']);
    expect(wa.fields[wa.rowtimeIndex]!.name).toBe('ts');
  });

  it('lets the source read fewer columns once the projections merge', () => {
    const p = plan('SELECT url FROM clicks');
    expect(find(p.optimized, 'TableScan')!.fields.map((f) => f.name)).toEqual(['url', 'ts']);
    expect(kinds(p.optimized)).toEqual(['Project', 'WatermarkAssigner', 'TableScan']);
  });
});
