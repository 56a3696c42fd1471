// Projection push-down into a Kafka table in the json format (scan.ts): when one scan reads the
// table, its source builds rows of only the scanned columns and no Project step follows; when
// several scans share the table's source, or the format cannot decode a projection (csv), the
// source reads whole rows and a Project step narrows them, as before. Rows against a real broker:
// test/connectors/kafka/kafka-table.test.ts and `npm run bench:kafka`'s verification.
import { buildStreamGraph, defineJob } from '../../api/environment.ts';
import { translatePlans } from '../../sql/physical/translate.ts';
import { registryCapabilities } from '../../sql/planner/registry-capabilities.ts';
import { SqlSession } from '../../sql/session/sql-session.ts';
import { createConnectorRegistry } from '../factory/index.ts';

const table = (format: string) => `CREATE TABLE k (a BIGINT, b STRING, c BIGINT, d STRING) WITH (
  'connector' = 'kafka', 'topic' = 'k', 'properties.bootstrap.servers' = 'localhost:1', 'format' = '${format}');
CREATE TABLE out (b STRING, a BIGINT) WITH ('connector' = 'blackhole');`;

/** The operator names of the job's stream graph, source first. */
function names(script: string): string[] {
  const registry = createConnectorRegistry();
  const session = new SqlSession({ capabilities: registryCapabilities(registry) });
  const job = session.executeScript(script).find((r) => r.kind === 'job');
  if (job?.kind !== 'job') throw new Error('no job');
  return buildStreamGraph(defineJob({ name: 'sql', build: (env) => translatePlans(env, job.trees, { registry, config: session.config }) }), 1).nodes.map((n) => n.name);
}

describe('Kafka projection push-down', () => {
  test('one scan of a json table: the source reads the scanned columns, no Project step', () => {
    const n = names(`${table('json')}\nINSERT INTO out SELECT b, a FROM k WHERE c > 10;`);
    expect(n[0]).toMatch(/^TableSourceScan\(k, project=\[.*\]\)$/);
    expect(n.some((x) => x.startsWith('Project('))).toBe(false);
    expect(n).toContain('Filter(pushed into scan)');
  });

  test('two scans sharing the source, or a csv table: whole rows and a Project step, as before', () => {
    const shared = names(`${table('json')}\nINSERT INTO out SELECT b, a FROM k WHERE c > 10 UNION ALL SELECT d, c FROM k;`);
    expect(shared.filter((x) => x.startsWith('TableSourceScan('))).toEqual(['TableSourceScan(k)']);
    expect(shared.filter((x) => x.startsWith('Project(')).length).toBe(2);
    const csv = names(`${table('csv')}\nINSERT INTO out SELECT b, a FROM k;`);
    expect(csv[0]).toBe('TableSourceScan(k)');
    expect(csv.some((x) => x.startsWith('Project('))).toBe(true);
  });
});
