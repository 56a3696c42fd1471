import { readFileSync } from 'node:fs';
import { FunctionRegistry } from './registry.ts';
import { T, typeToString } from '../types/data-type.ts';

describe('built-in functions', () => {
  const registry = new FunctionRegistry();

  it('are all listed in docs/sql/functions.md (internal `$` functions, which SQL text cannot call, excepted)', () => {
    const doc = readFileSync(new URL('../../../docs/sql/functions.md', import.meta.url), 'utf8');
    const missing = registry.all().filter((f) => !f.name.startsWith('$') && !doc.includes(`\`${f.signatures[0]}\``)).map((f) => f.name);
    expect(missing).toEqual([]);
  });

  it('type their results as Flink does', () => {
    const type = (name: string, args: ReturnType<typeof T.int>[]): string => {
      const r = registry.lookup(name)!.inferType(args);
      return typeof r === 'string' ? r : typeToString(r);
    };
    expect(type('COUNT', [])).toBe('BIGINT NOT NULL');
    expect(type('SUM', [T.int(false)])).toBe('INT');
    expect(type('SUM', [T.decimal(10, 2)])).toBe('DECIMAL(38, 2)');
    expect(type('AVG', [T.bigint(false)])).toBe('BIGINT');
    expect(type('MOD', [T.bigint(), T.int(false)])).toBe('INT');
    expect(type('REGEXP_EXTRACT', [T.string(false), T.char(3, false), T.int(false)])).toBe('STRING');
    expect(type('DATE_FORMAT', [T.timestamp(3, false), T.char(10, false)])).toBe('STRING NOT NULL');
    expect(type('PROCTIME', [])).toBe('TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*');
    expect(type('UPPER', [T.int()])).toBe('Invalid function call:\nUPPER(INT)\nSupported signatures are:\nUPPER(STRING)');
  });

  it('suggest close names for a typo', () => {
    expect(registry.suggestions('REGEX_EXTRACT')).toEqual(['REGEXP_EXTRACT']);
    expect(registry.suggestions('zzzzzz')).toEqual([]);
  });
});
