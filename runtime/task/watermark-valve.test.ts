import { WatermarkValve } from './watermark-valve.ts';

describe('watermark valve', () => {
  test('the combined watermark is the minimum over channels and only moves forward', () => {
    const v = new WatermarkValve([0, 0]);
    expect(v.onWatermark(0, 100)).toBeUndefined();
    expect(v.onWatermark(1, 50)).toBe(50);
    expect(v.onWatermark(1, 40)).toBeUndefined();
    expect(v.onWatermark(1, 200)).toBe(100);
  });

  test('an idle channel stops holding the watermark back until it becomes active', () => {
    const v = new WatermarkValve([0, 0]);
    v.onWatermark(0, 100);
    expect(v.onIdle(1, true)).toBe(100);
    expect(v.onWatermark(0, 300)).toBe(300);
    v.onIdle(1, false);
    expect(v.onWatermark(1, 250)).toBeUndefined(); // never goes back
    expect(v.inputWatermark(0)).toBe(300);
  });

  test('two inputs are combined separately', () => {
    const v = new WatermarkValve([0, 1]);
    expect(v.onWatermark(0, 10)).toBe(10);
    expect(v.onWatermark(1, 5)).toBe(5);
    expect(v.inputWatermark(0)).toBe(10);
  });
});
