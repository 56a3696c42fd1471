import { validateSource } from './validate.ts';

describe('job source validation', () => {
  test('SQL is refused: Deployments cannot run it yet', () => {
    expect(validateSource({ sql: 'SELECT 1' })).toEqual({ reason: 'SqlNotSupported', message: expect.stringMatching(/^spec\.source\.sql: Deployments cannot run SQL yet.*spec\.source\.pipeline/) });
  });
  test('an invalid pipeline is refused with the field inside the pipeline named', () => {
    const r = validateSource({ pipeline: 'source: { type: nexmark }\nsteps: [{ type: window, size: 1s, aggregates: [{ fn: max, as: m }] }]\nsink: { type: print }' });
    expect(r).toEqual({ reason: 'InvalidPipeline', message: expect.stringMatching(/^spec\.source\.pipeline: steps\[0\]\.aggregates\[0\]\.field: /) });
    expect(validateSource({ pipeline: 'source: [' })?.message).toMatch(/^spec\.source\.pipeline: not valid YAML: .* at line 1, column \d+;/);
  });
  test('a valid pipeline and an artifact pass', () => {
    expect(validateSource({ pipeline: 'source: { type: nexmark }\nsink: { type: blackhole }' })).toBeUndefined();
    expect(validateSource({ artifact: { uri: 'file:///job.ts', args: [] } })).toBeUndefined();
  });
});
