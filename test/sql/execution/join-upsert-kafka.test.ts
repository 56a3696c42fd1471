// An upsert source end to end on the real Kafka broker (test/services): `upsert-kafka` emits each
// record as an upsert by key (no -U), ChangelogNormalize (runtime/sql/physical/changelog-normalize.ts)
// turns a repeated key into -U old / +U new, so a GROUP BY over it moves a user's score from one
// team to the other instead of counting it twice; the sums equal the ones computed here from the
// last record of each key.
import { jest } from '@jest/globals';
import { defineJob } from '../../../runtime/api/environment.ts';
import { collectSink } from '../../../runtime/connectors/collect-sink.ts';
import { createConnectorRegistry } from '../../../runtime/connectors/factory/index.ts';
import type { ChangelogRow } from '../../../runtime/connectors/factory/row.ts';
import { executeLocally } from '../../../runtime/local/local-executor.ts';
import { translatePlans } from '../../../runtime/sql/physical/translate.ts';
import { registryCapabilities } from '../../../runtime/sql/planner/registry-capabilities.ts';
import { SqlSession } from '../../../runtime/sql/session/sql-session.ts';
import { useKafka } from '../../services/kafka/environment.ts';
import { createTopic, produce, uniqueTopic } from '../../connectors/kafka/kafka-admin.ts';
import { applied, sortedRows } from './join-test-tables.ts';

jest.setTimeout(90_000);

test('GROUP BY over upsert-kafka: a key written again replaces its row (ChangelogNormalize), sums equal the last records', async () => {
  const { bootstrap } = await useKafka();
  const topic = uniqueTopic('sql-upsert-normalize');
  await createTopic(bootstrap, topic, 2);
  const users = [
    { id: 1, name: 'ann', team: 1, score: 10 },
    { id: 2, name: 'bo', team: 1, score: 20 },
    { id: 1, name: 'ann', team: 2, score: 15 }, // ann moves to team 2
    { id: 3, name: 'cy', team: 2, score: 5 },
    { id: 2, name: 'bo', team: 1, score: 25 },
    { id: 2, name: 'bo', team: 1, score: 25 }, // the same row again: no change
  ];
  await produce(bootstrap, topic, users.map((u) => ({ key: JSON.stringify({ id: u.id }), value: JSON.stringify(u) })));
  const last = new Map(users.map((u) => [u.id, u]));
  const sums = new Map<number, number>();
  for (const u of last.values()) sums.set(u.team, (sums.get(u.team) ?? 0) + u.score);
  const expected = sortedRows([...sums]);
  expect(expected).toEqual(sortedRows([[1, 25], [2, 20]]));

  const registry = createConnectorRegistry();
  const session = new SqlSession({ capabilities: registryCapabilities(registry) });
  const trees = session.executeScript(`
    CREATE TABLE users (id INT, name STRING, team INT, score INT, PRIMARY KEY (id) NOT ENFORCED) WITH (
      'connector' = 'upsert-kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${bootstrap}', 'key.format' = 'json', 'value.format' = 'json');
    CREATE TABLE out (team INT, total INT) WITH ('connector' = 'blackhole');
    INSERT INTO out SELECT team, SUM(score) FROM users GROUP BY team`).flatMap((r) => (r.kind === 'job' ? r.trees : []));
  const rows: ChangelogRow[] = [];
  const run = executeLocally(defineJob({ name: 'upsert-normalize', build: (env) => translatePlans(env, trees, { registry, sinkFor: () => collectSink(rows) }) }), { parallelism: 2 });
  try {
    for (let i = 0; i < 600 && JSON.stringify(applied(rows)) !== JSON.stringify(expected); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(applied(rows)).toEqual(expected);
  } finally {
    run.cancel();
    await run.done.catch(() => {});
  }
});
