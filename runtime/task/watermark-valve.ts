// Combines per-channel watermarks into one per input: the minimum over channels that are not
// idle. Returns the new combined watermark when it advanced, otherwise undefined.

import { MIN_WATERMARK } from '../api/watermarks.ts';

export class WatermarkValve {
  private readonly watermarks: number[];
  private readonly idle: boolean[];
  private readonly inputOf: number[];
  private readonly combined: number[] = [MIN_WATERMARK, MIN_WATERMARK];

  constructor(channelInputs: number[]) {
    this.inputOf = channelInputs;
    this.watermarks = channelInputs.map(() => MIN_WATERMARK);
    this.idle = channelInputs.map(() => false);
  }

  onWatermark(channel: number, wm: number): number | undefined {
    if (wm <= this.watermarks[channel]!) return undefined;
    this.watermarks[channel] = wm;
    this.idle[channel] = false;
    return this.recompute(this.inputOf[channel]!);
  }

  onIdle(channel: number, idle: boolean): number | undefined {
    this.idle[channel] = idle;
    return this.recompute(this.inputOf[channel]!);
  }

  allIdle(): boolean {
    return this.idle.length > 0 && this.idle.every((x) => x);
  }

  inputWatermark(input: number): number {
    return this.combined[input]!;
  }

  private recompute(input: number): number | undefined {
    let min = Number.POSITIVE_INFINITY;
    let any = false;
    for (let i = 0; i < this.watermarks.length; i++) {
      if (this.inputOf[i] !== input || this.idle[i]) continue;
      any = true;
      if (this.watermarks[i]! < min) min = this.watermarks[i]!;
    }
    if (!any || min <= this.combined[input]!) return undefined;
    this.combined[input] = min;
    return min;
  }
}
