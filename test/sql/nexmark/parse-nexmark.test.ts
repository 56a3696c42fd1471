// The Nexmark SQL files, unchanged (variables substituted as the Nexmark harness does), parse.
import { readdirSync } from 'node:fs';
import { parseScript } from '../../../runtime/sql/parser/index.ts';
import { QUERIES_DIR, nexmarkQueryNames, readNexmarkFile } from './nexmark-queries.ts';

const files = readdirSync(QUERIES_DIR).filter((f) => f.endsWith('.sql')).sort();

describe('Nexmark SQL files parse', () => {
  it('ships the DDL, the views and q0 to q23', () => {
    expect(nexmarkQueryNames()).toEqual(Array.from({ length: 24 }, (_, i) => `q${i}`));
    expect(files).toEqual(expect.arrayContaining(['ddl_gen.sql', 'ddl_kafka.sql', 'ddl_views.sql']));
  });

  it.each(files)('%s', (file) => {
    const statements = parseScript(readNexmarkFile(file));
    const kinds = statements.map((s) => s.statement.kind);
    if (/^q\d+\.sql$/.test(file)) {
      // Every query file creates its sink and inserts into it (q12 and q14 add a view or a function).
      expect(kinds).toContain('createTable');
      expect(kinds[kinds.length - 1]).toBe('insert');
    } else if (file === 'ddl_views.sql') {
      expect(kinds).toEqual(['createView', 'createView', 'createView']);
    } else {
      expect(kinds.length).toBeGreaterThan(0);
    }
  });
});
