import { createConnectorRegistry } from '../../connectors/factory/index.ts';
import { SqlSession } from '../session/sql-session.ts';
import { registryCapabilities } from './registry-capabilities.ts';

function session(): SqlSession {
  const s = new SqlSession({ capabilities: registryCapabilities(createConnectorRegistry()) });
  s.executeScript(`
    CREATE TABLE src (k BIGINT, v STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '10');
    CREATE TABLE to_print (k BIGINT, n BIGINT) WITH ('connector' = 'print');
    CREATE TABLE to_files (k BIGINT, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '/tmp/millrace-h3-never-written', 'format' = 'csv');
    CREATE TABLE bad (k BIGINT, n BIGINT) WITH ('connector' = 'nope')`);
  return s;
}

describe('connector capabilities from the connector factory', () => {
  it('let a print sink take updates and refuse them into the append-only filesystem sink', () => {
    const s = session();
    const [ok] = s.executeScript('INSERT INTO to_print SELECT k, COUNT(*) FROM src GROUP BY k');
    expect(ok?.kind).toBe('job');
    expect(() => s.executeScript('INSERT INTO to_files SELECT k, COUNT(*) FROM src GROUP BY k')).toThrow(/Table sink 'default_catalog.default_database.to_files' doesn't support consuming update changes/);
    const [append] = s.executeScript('INSERT INTO to_files SELECT k, 1 FROM src');
    expect(append?.kind).toBe('job');
  });

  it('refuse a table whose connector does not exist while planning', () => {
    expect(() => session().executeScript('INSERT INTO bad SELECT k, 1 FROM src')).toThrow(/MR_ERR_CONNECTOR_UNKNOWN/);
  });
});
