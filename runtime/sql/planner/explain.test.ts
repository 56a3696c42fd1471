import { testSession } from './test-support.ts';

describe('EXPLAIN', () => {
  it('prints the converted and the optimized plan, with changelog modes on request', () => {
    const [r] = testSession().executeScript("EXPLAIN CHANGELOG_MODE SELECT a, UPPER(b) AS u FROM plain WHERE c > 10 AND 1 = 1");
    if (r?.kind !== 'explain') throw new Error('not an explain');
    expect(r.text).toBe(`== Abstract Syntax Tree ==
Calc(select=[a, UPPER(b) AS u])
+- Calc(select=[a, b, c], where=[AND(>(c, 10), =(1, 1))])
   +- TableSourceScan(table=[[default_catalog, default_database, plain]], fields=[a, b, c])

== Optimized Logical Plan ==
Calc(select=[a, UPPER(b) AS u], changelogMode=[I])
+- TableSourceScan(table=[[default_catalog, default_database, plain]], filter=[>(c, 10)], fields=[a, b, c], changelogMode=[I])
`);
  });

  it('explains a statement set sink by sink', () => {
    const [r] = testSession().executeScript(`EXPLAIN EXECUTE STATEMENT SET BEGIN
      INSERT INTO print_out SELECT c, c FROM plain;
      INSERT INTO append_out SELECT c, CAST(a AS BIGINT) FROM plain;
    END`);
    if (r?.kind !== 'explain') throw new Error('not an explain');
    expect(r.text.match(/^Sink\(table=\[[^\]]+\]/gm)).toEqual([
      'Sink(table=[default_catalog.default_database.print_out]', 'Sink(table=[default_catalog.default_database.append_out]',
      'Sink(table=[default_catalog.default_database.print_out]', 'Sink(table=[default_catalog.default_database.append_out]',
    ]);
  });
});
