import { formatSelector, parseWatchSelector } from './watch-selector.ts';

describe('watch selector', () => {
  it('parses equality terms and formats them back', () => {
    const labels = parseWatchSelector(' millrace.dev/operator = canary, team==a ');
    expect(labels).toEqual({ 'millrace.dev/operator': 'canary', team: 'a' });
    expect(formatSelector(labels)).toBe('millrace.dev/operator=canary,team=a');
  });

  it('is empty when unset', () => {
    expect(parseWatchSelector(undefined)).toEqual({});
    expect(formatSelector(parseWatchSelector(''))).toBeUndefined();
  });

  it('refuses set-based terms and invalid labels, naming the variable', () => {
    expect(() => parseWatchSelector('env in (a,b)')).toThrow(/MILLRACE_WATCH_SELECTOR term 'env in \(a/);
    expect(() => parseWatchSelector('team!=a')).toThrow(/not key=value/);
    expect(() => parseWatchSelector('bad key=a')).toThrow(/MILLRACE_WATCH_SELECTOR/);
  });
});
