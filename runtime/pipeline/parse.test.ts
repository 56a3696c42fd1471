import { parsePipeline, PipelineError } from './parse.ts';

const valid = `
name: big-bids
source: { type: nexmark, events: 1000 }
steps:
  - type: filter
    where:
      - { field: kind, op: "==", value: bid }
      - { field: price, op: ">", value: 1000 }
  - type: select
    fields: [auction, price]
  - type: window
    keyBy: auction
    kind: sliding
    size: 10s
    slide: 2s
    aggregates:
      - { fn: count, as: bids }
      - { fn: max, field: price, as: top }
sink: { type: print }
`;

function issuesOf(text: string): string[] {
  try {
    parsePipeline(text);
  } catch (err) {
    expect(err).toBeInstanceOf(PipelineError);
    return (err as PipelineError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the pipeline to be refused');
}

describe('pipeline language', () => {
  test('a valid pipeline parses with durations in milliseconds and defaults applied', () => {
    const p = parsePipeline(valid);
    expect(p.source).toEqual({ type: 'nexmark', events: 1000 });
    expect(p.steps[2]).toMatchObject({ type: 'window', kind: 'sliding', size: 10_000, slide: 2000 });
    expect(parsePipeline('source: { type: file, path: /in }\nsink: { type: file, path: /out }')).toMatchObject({ source: { format: 'jsonl' }, steps: [], sink: { format: 'jsonl' } });
  });

  test('durations accept ms, s, m, h and plain milliseconds', () => {
    const size = (v: string) => (parsePipeline(`source: { type: nexmark }\nsteps: [{ type: window, size: ${v}, aggregates: [{ fn: count, as: n }] }]\nsink: { type: blackhole }`).steps[0] as { size: number }).size;
    expect([size('500ms'), size('3s'), size('2m'), size('1h'), size('250')]).toEqual([500, 3000, 120_000, 3_600_000, 250]);
  });

  test('errors name the field and say what is expected', () => {
    expect(issuesOf('source: { type: kafka }\nsink: { type: print }')).toEqual([expect.stringMatching(/^source\.type: .*nexmark/)]);
    expect(issuesOf('source: { type: nexmark }\nsteps: [{ type: window, size: 10 seconds, aggregates: [{ fn: sum, as: s }] }]\nsink: { type: print }'))
      .toEqual(expect.arrayContaining([expect.stringMatching(/^steps\[0\]\.size: expected a duration/), expect.stringMatching(/^steps\[0\]\.aggregates\[0\]\.field: /)]));
    expect(issuesOf('source: { type: nexmark }\nsteps: [{ type: filter, where: [{ field: price, op: "=>", value: 3 }] }]\nsink: { type: print }'))
      .toEqual([expect.stringMatching(/^steps\[0\]\.where\[0\]\.op: /)]);
    expect(issuesOf('source: { type: nexmark }\nsteps: [{ type: select, feilds: [a] }]\nsink: { type: print }'))
      .toEqual(expect.arrayContaining([expect.stringMatching(/^steps\[0\]: Unrecognized key: "feilds"/)]));
    expect(issuesOf('source: { type: nexmark }\nsink: { type: s3 }')).toEqual([expect.stringMatching(/^sink\.type: .*file, print, blackhole or connector/)]);
    expect(issuesOf('steps: []')).toEqual(expect.arrayContaining([expect.stringMatching(/^source: /), expect.stringMatching(/^sink: /)]));
  });

  test('cross-field rules: event time for windows over files, slide only for sliding windows, distinct output names', () => {
    expect(issuesOf('source: { type: file, path: /in }\nsteps: [{ type: window, size: 1s, aggregates: [{ fn: count, as: n }] }]\nsink: { type: print }'))
      .toEqual([expect.stringMatching(/^source\.timestampField: a window step needs event time/)]);
    expect(issuesOf('source: { type: nexmark }\nsteps: [{ type: window, kind: sliding, size: 1s, aggregates: [{ fn: count, as: n }] }]\nsink: { type: print }'))
      .toEqual([expect.stringMatching(/^steps\[0\]\.slide: a sliding window needs slide/)]);
    expect(issuesOf('source: { type: nexmark }\nsteps: [{ type: window, size: 1s, slide: 1s, aggregates: [{ fn: count, as: n }] }]\nsink: { type: print }'))
      .toEqual([expect.stringMatching(/^steps\[0\]\.slide: slide is only for kind sliding/)]);
    expect(issuesOf('source: { type: nexmark }\nsteps: [{ type: window, keyBy: auction, size: 1s, aggregates: [{ fn: count, as: auction }, { fn: max, field: price, as: windowEnd }] }]\nsink: { type: print }'))
      .toEqual([expect.stringMatching(/^steps\[0\]\.aggregates\[0\]\.as: /), expect.stringMatching(/^steps\[0\]\.aggregates\[1\]\.as: /)]);
  });

  test('YAML syntax errors say where', () => {
    expect(() => parsePipeline('source: { type: nexmark\nsink: [')).toThrow(/MR_ERR_PIPELINE_YAML: pipeline is not valid YAML: .* at line \d+, column \d+/);
  });
});
