// The pure parts of sql:compare: SQL rewriting, canonical rows, changelog application, the diff.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SecretResolver, createConnectorRegistry } from '../../../runtime/connectors/factory/index.ts';
import { T } from '../../../runtime/sql/types/data-type.ts';
import { applyChangelog, canonicalRow, normalizeNumbers } from './canonical.ts';
import { compareSinks, needsNexmarkDdl } from './compare.ts';
import { diffRows } from './diff.ts';
import { loadRunSqlFile } from './millrace-side.ts';
import { prepareRun } from './prepare.ts';
import { nexmarkPlaceholders, nexmarkSideInput, replaceWithClause, substitutePlaceholders } from './sql-text.ts';

describe('sql:compare harness', () => {
  test('the WITH clause is replaced, columns, computed columns and WATERMARK kept as written', () => {
    const ddl = "CREATE TABLE t (\n  a INT,\n  `with` AS a + 1, -- WITH ( in a comment\n  s VARCHAR,\n  WATERMARK FOR ts AS ts - INTERVAL '4' SECOND\n) WITH (\n  'connector' = 'nexmark', 'x' = 'a)b'\n)";
    const out = replaceWithClause(ddl, { connector: 'filesystem', path: "/tmp/it's" });
    expect(out).toBe("CREATE TABLE t (\n  a INT,\n  `with` AS a + 1, -- WITH ( in a comment\n  s VARCHAR,\n  WATERMARK FOR ts AS ts - INTERVAL '4' SECOND\n) WITH (\n  'connector' = 'filesystem',\n  'path' = '/tmp/it''s'\n)");
    expect(() => replaceWithClause('CREATE TABLE t (a INT)', {})).toThrow('MR_ERR_ORACLE_SQL');
  });

  test('Nexmark placeholders are filled, unknown ones left alone; q13 gets the side input the Nexmark project generates', () => {
    expect(substitutePlaceholders("'events.num' = '${EVENTS_NUM}', '${OTHER}'", { EVENTS_NUM: '5' })).toBe("'events.num' = '5', '${OTHER}'");
    expect(substitutePlaceholders("'file://${FLINK_HOME}/data/side_input.txt'", nexmarkPlaceholders(10, '/tmp/run'))).toBe("'file:///tmp/run/data/side_input.txt'");
    expect(nexmarkSideInput(3)).toBe('0,0\n1,1\n2,2\n');
  });

  test('canonical rows: exact decimals, SQL timestamps, nested rows, big integers', () => {
    const cols = [
      { name: 'a', type: T.bigint() }, { name: 'd', type: T.decimal(10, 2) }, { name: 'ts', type: T.timestamp(3) },
      { name: 'r', type: T.row([{ name: 'x', type: T.int() }, { name: 'day', type: T.date() }]) }, { name: 'f', type: T.double() },
    ];
    expect(canonicalRow(cols, [2n ** 60n, '1.50', Date.UTC(2025, 0, 1, 0, 0, 4), [1, 20089], null])).toBe('[1152921504606846976,"1.50","2025-01-01 00:00:04.000",[1,"2025-01-01"],null]');
  });

  test('floating-point numbers compare to 12 significant digits, integers exactly', () => {
    expect(normalizeNumbers('[1.0,"2.50",0.30000000000000004,1E10,12345678901234567890]')).toBe('[1,"2.50",0.3,10000000000,12345678901234567890]');
  });

  test('a changelog applies to a multiset, or by key for upsert sinks', () => {
    const log = [
      { kind: '+I', row: '["a",1]' }, { kind: '-U', row: '["a",1]' }, { kind: '+U', row: '["a",2]' },
      { kind: '+I', row: '["b",1]' }, { kind: '-D', row: '["b",1]' }, { kind: '+I', row: '["c",1]' }, { kind: '+I', row: '["c",1]' },
    ] as const;
    expect(applyChangelog(log)).toEqual({ rows: ['["a",2]', '["c",1]', '["c",1]'], problems: [] });
    expect(applyChangelog([{ kind: '+I', row: '["k",1]' }, { kind: '+U', row: '["k",3]' }, { kind: '+I', row: '["j",1]' }, { kind: '-D', row: '["j",1]' }], [0]).rows).toEqual(['["k",3]']);
    expect(applyChangelog([{ kind: '-D', row: '["x"]' }]).problems).toEqual(['retraction of a row that is not there: ["x"]']);
  });

  test('the diff names the rows each side has more of', () => {
    const d = diffRows(['[1]', '[2]', '[2]', '[1.0000000000001]'], ['[1]', '[2]', '[3]', '[1]']);
    expect(d.equal).toBe(false);
    expect(d.onlyFlink).toEqual([{ row: '[2]', times: 1 }]);
    expect(d.onlyMillrace).toEqual([{ row: '[3]', times: 1 }]);
    expect(diffRows(['[0.1]'], ['[0.1000000000000001]']).equal).toBe(true);
  });

  test('the Nexmark DDL goes in front only of files that read its views without defining them', () => {
    const q1 = readFileSync(new URL('../nexmark/queries/q1.sql', import.meta.url), 'utf8');
    expect(needsNexmarkDdl(q1)).toBe(true);
    expect(needsNexmarkDdl(readFileSync(new URL('../nexmark/queries/q8.sql', import.meta.url), 'utf8'))).toBe(true); // TABLE(TUMBLE(TABLE person, ...))
    expect(needsNexmarkDdl(`CREATE TABLE datagen (x INT) WITH ('connector' = 'nexmark'); ${q1}`)).toBe(false);
    expect(needsNexmarkDdl("CREATE TABLE s (x INT) WITH ('connector' = 'datagen'); INSERT INTO o SELECT x FROM s")).toBe(false);
  });

  test('a missing runSqlFile is reported as unavailable, never as a pass', async () => {
    const missing = await loadRunSqlFile(new URL('file:///nonexistent/run-sql-file.ts'));
    expect(missing).toEqual({ unavailable: 'Millrace SQL side not available yet (/nonexistent/run-sql-file.ts does not exist)' });
    const noExport = await loadRunSqlFile(new URL('./diff.ts', import.meta.url));
    expect('unavailable' in noExport && noExport.unavailable).toContain('exports no runSqlFile');
  });

  test('prepare: generated tables read one events file on Flink, INSERT targets collect; Millrace keeps its connectors with the same events', async () => {
    const workDir = mkdtempSync(path.join(tmpdir(), 'millrace-prepare-'));
    const sql = `CREATE TABLE gen (id BIGINT, v INT) WITH ('connector' = 'datagen', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '40');
CREATE TABLE out1 (id BIGINT, v INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'print');
BEGIN STATEMENT SET;
INSERT INTO out1 SELECT id, v FROM gen;
END;`;
    const p = await prepareRun(sql, createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') }), { events: 100, seed: 1, workDir });
    expect(p.inputs).toEqual([{ table: 'gen', file: path.join(workDir, 'input-gen.jsonl'), rows: 40 }]);
    expect(readFileSync(p.inputs[0]!.file, 'utf8').split('\n')[0]).toMatch(/^\{"id":1,"v":-?\d+\}$/);
    expect(p.sinks).toEqual([{ table: 'out1', columns: [{ name: 'id', type: T.bigint() }, { name: 'v', type: T.int() }], primaryKey: ['id'], prefix: path.join(workDir, 'sink-out1') }]);
    expect(p.flinkStatements[0]).toContain(`'path' = '${p.inputs[0]!.file}'`);
    expect(p.flinkStatements[1]).toContain("'connector' = 'millrace-collect'");
    expect(p.flinkStatements[2]).toMatch(/^EXECUTE STATEMENT SET BEGIN\s+INSERT INTO out1/);
    expect(p.millraceSql).toContain("'connector' = 'print'");
    expect(p.millraceSql).toContain("'format' = 'json'");
  });

  test('compareSinks: Millrace rows (typed values, changelog) against Flink final rows, equal or the differing rows named', () => {
    const columns = [{ name: 'auction', type: T.bigint() }, { name: 'w', type: T.timestamp(3) }, { name: 'avg', type: T.double() }];
    const sinks = [
      { table: 'upsert', columns, primaryKey: ['auction'], prefix: '/x/a' },
      { table: 'append', columns, primaryKey: [], prefix: '/x/b' },
    ];
    const t = Date.UTC(2025, 0, 1, 0, 0, 10);
    const flink = [
      { table: 'upsert', rows: ['[1,"2025-01-01 00:00:10.000",2.5]', '[2,"2025-01-01 00:00:10.000",0.30000000000000004]'], problems: [] },
      { table: 'append', rows: ['[1,"2025-01-01 00:00:10.000",1.0]'], problems: [] },
    ];
    const good = [
      { table: 'upsert', changelog: [{ kind: '+I', values: [1, t, 1] }, { kind: '+U', values: [1, t, 2.5] }, { kind: '+I', values: [2, t, 0.1 + 0.2] }] as const },
      { table: 'append', changelog: [{ kind: '+I', values: [1, t, 1] }] as const },
    ];
    expect(compareSinks(sinks, flink, good)).toEqual([
      { table: 'upsert', equal: true, flinkRows: 2, millraceRows: 2, lines: ['INSERT INTO upsert: equal (2 rows, upsert by auction)'] },
      { table: 'append', equal: true, flinkRows: 1, millraceRows: 1, lines: ['INSERT INTO append: equal (1 rows)'] },
    ]);
    const bad = [{ table: 'upsert', changelog: [{ kind: '+I', values: [1, t, 2.5] }, { kind: '+I', values: [3, t, 1] }] as const }];
    const reports = compareSinks(sinks, flink, bad);
    expect(reports[0]).toEqual({
      table: 'upsert', equal: false, flinkRows: 2, millraceRows: 2,
      lines: ['INSERT INTO upsert: DIFFERENT (Flink 2 rows, Millrace 2 rows)', '  only in Flink:    [2,"2025-01-01 00:00:10.000",0.3]', '  only in Millrace: [3,"2025-01-01 00:00:10.000",1]'],
    });
    expect(reports[1]).toEqual({ table: 'append', equal: false, lines: ['INSERT INTO append: DIFFERENT: Millrace returned no result for this table'] });
  });
});
