import { validateSource } from './validate.ts';

describe('job source validation', () => {
  test('SQL is checked as its job would build it: problems with line and column, a runnable script passes (sql-source.test.ts has more)', () => {
    expect(validateSource({ sql: 'SELECT * FROM bids' })).toEqual({ reason: 'InvalidSql', message: expect.stringMatching(/^spec\.source\.sql: line 1, column 15: Object 'bids' not found/) });
    expect(validateSource({ sql: "CREATE TABLE s (a INT) WITH ('connector' = 'datagen');\nCREATE TABLE o (a INT) WITH ('connector' = 'blackhole');\nINSERT INTO o SELECT a FROM s;" })).toBeUndefined();
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
