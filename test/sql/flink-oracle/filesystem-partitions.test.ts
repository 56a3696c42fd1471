// The Flink SQL oracle on a partitioned filesystem sink with partition commit: the same SQL
// (a JSON file of events with a watermark → INSERT into a table PARTITIONED BY (dt, hm),
// partition-time commit with a success file) run by Flink 1.20 (bench/flink-sql) and by Millrace at
// parallelism 2 ends with the same partition directories, the same rows in each, and a _SUCCESS in
// each, and no hidden or in-progress file on either side.

import { jest } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSqlFile } from '../../../runtime/sql/run-sql-file.ts';
import { runFlinkStatements } from './oracle.ts';

const EVENTS = 1_800; // 0.1 s apart from 10:00:00: three minute partitions of 600
const START = Date.UTC(2024, 0, 2, 10, 0);

/** Per partition directory: its rows (parsed JSON, in text order) and its other file names. */
function readPartitions(dir: string): Map<string, { rows: unknown[]; markers: string[] }> {
  const out = new Map<string, { rows: unknown[]; markers: string[] }>();
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    if (f.split('/').length !== 3) continue; // dt=.../hm=.../file
    const base = path.basename(f);
    const full = path.join(dir, f);
    const part = path.dirname(f);
    const entry = out.get(part) ?? { rows: [], markers: [] };
    out.set(part, entry);
    if (base.startsWith('part-')) entry.rows.push(...readFileSync(full, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown));
    else entry.markers.push(base);
  }
  for (const e of out.values()) {
    e.rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    e.markers.sort();
  }
  return out;
}

describe('Flink SQL oracle: partitioned filesystem sink with partition commit', () => {
  jest.setTimeout(600_000);

  test('Flink and Millrace (parallelism 2) write the same partitions, the same rows in each, and one _SUCCESS per partition', async () => {
    const workDir = mkdtempSync(path.join(tmpdir(), 'millrace-oracle-partitions-'));
    const input = path.join(workDir, 'events.json');
    const ts = (i: number): string => new Date(START + i * 100).toISOString().replace('T', ' ').replace('Z', '');
    writeFileSync(input, Array.from({ length: EVENTS }, (_, i) => JSON.stringify({ id: i, ts: ts(i) })).join('\n') + '\n');
    const statements = (out: string): string[] => [
      `CREATE TABLE events (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${input}', 'format' = 'json')`,
      `CREATE TABLE archive (id BIGINT, ts TIMESTAMP(3), dt STRING, hm STRING) PARTITIONED BY (dt, hm) WITH (
        'connector' = 'filesystem', 'path' = '${out}', 'format' = 'json',
        'sink.partition-commit.trigger' = 'partition-time', 'sink.partition-commit.delay' = '1 min',
        'sink.partition-commit.policy.kind' = 'success-file', 'partition.time-extractor.timestamp-pattern' = '$dt $hm:00')`,
      "INSERT INTO archive SELECT id, ts, DATE_FORMAT(ts, 'yyyy-MM-dd'), DATE_FORMAT(ts, 'HH:mm') FROM events",
    ];
    await runFlinkStatements(statements(path.join(workDir, 'flink')), workDir);
    await runSqlFile(statements(path.join(workDir, 'millrace')).map((s) => `${s};`).join('\n'), { parallelism: 2 });
    const flink = readPartitions(path.join(workDir, 'flink'));
    const ours = readPartitions(path.join(workDir, 'millrace'));
    expect([...flink.keys()].sort()).toEqual(['dt=2024-01-02/hm=10%3A00', 'dt=2024-01-02/hm=10%3A01', 'dt=2024-01-02/hm=10%3A02']);
    expect([...ours.keys()].sort()).toEqual([...flink.keys()].sort());
    for (const [part, f] of flink) {
      expect(f.markers).toEqual(['_SUCCESS']);
      expect(ours.get(part)!.markers).toEqual(['_SUCCESS']);
      expect(f.rows).toHaveLength(600);
      expect(ours.get(part)!.rows).toEqual(f.rows);
    }
  });
});
