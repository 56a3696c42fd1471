// Pipelines whose source and sink are table connectors of the connector factory.

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildStreamGraph, defineJob } from '../api/environment.ts';
import { collectSink } from '../connectors/collect-sink.ts';
import { executeLocally } from '../local/local-executor.ts';
import { buildPipeline } from './compile.ts';
import type { Row } from './functions.ts';
import { PipelineError, parsePipeline } from './parse.ts';

async function run(yaml: string, collect?: Row[]): Promise<void> {
  const pipeline = parsePipeline(yaml);
  await executeLocally(defineJob({ name: 'pipeline-connector', build: (env) => buildPipeline(env, pipeline, collect ? { sink: collectSink(collect) } : {}) }), { parallelism: 2 }).done;
}

describe('pipelines with factory connectors (type: connector)', () => {
  test('a partitioned filesystem sink with a success file: the graph has one committer after the writers, and every partition gets _SUCCESS', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-pipeline-partitions-'));
    const yaml = `
source:
  type: connector
  columns: { id: BIGINT }
  options: { connector: datagen, fields.id.kind: sequence, fields.id.start: 1, fields.id.end: 100, rows-per-second: 1000000 }
steps:
  - type: select
    fields: [id]
sink:
  type: connector
  columns: { id: BIGINT, part: STRING }
  partitionKeys: [part]
  options: { connector: filesystem, path: ${dir}, format: json, sink.partition-commit.policy.kind: success-file }
`;
    const graph = buildStreamGraph(defineJob({ name: 'p', build: (env) => buildPipeline(env, parsePipeline(yaml)) }), 2);
    const committer = graph.nodes.find((n) => n.name.endsWith(': Committer'))!;
    expect(committer).toMatchObject({ uid: 'pipeline-sink-committer', parallelism: 1 });
    expect(committer.inputs.map((e) => [graph.node(e.sourceId).uid, e.partitioner.type])).toEqual([['pipeline-sink', 'global']]);
    await run(yaml);
    // every id lands in the NULL partition (no 'part' field): one partition, written by both subtasks, committed once
    const files = readdirSync(path.join(dir, 'part=__DEFAULT_PARTITION__'));
    expect(files.filter((f) => !f.startsWith('part-'))).toEqual(['_SUCCESS']);
    expect(new Set(files.filter((f) => f.startsWith('part-')).map((f) => f.split('-')[2]))).toEqual(new Set(['0', '1']));
  });

  test('a datagen source, a filter and a filesystem json sink: exactly the matching rows land in committed files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-pipeline-connector-'));
    await run(`
source:
  type: connector
  name: numbers
  columns: { id: BIGINT, label: STRING }
  options: { connector: datagen, fields.id.kind: sequence, fields.id.start: 1, fields.id.end: 1000, fields.label.length: 3, rows-per-second: 1000000 }
steps:
  - type: filter
    where: [{ field: id, op: ">", value: 990 }]
sink:
  type: connector
  columns: { id: BIGINT, label: STRING }
  options: { connector: filesystem, path: ${dir}, format: json }
`);
    const lines = readdirSync(dir).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(path.join(dir, f), 'utf8').trim().split('\n'));
    const rows = lines.map((l) => JSON.parse(l) as { id: number; label: string });
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual([991, 992, 993, 994, 995, 996, 997, 998, 999, 1000]);
    expect(rows.every((r) => /^[0-9a-f]{3}$/.test(r.label))).toBe(true);
  });

  test('a window over a TIMESTAMP column of a connector source counts per window', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-pipeline-connector-in-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(dir, 'events.jsonl'), Array.from({ length: 30 }, (_, i) => JSON.stringify({ k: i % 2 === 0 ? 'even' : 'odd', at: `2025-01-01 00:00:${String(i).padStart(2, '0')}` })).join('\n') + '\n');
    const out: Row[] = [];
    await run(`
source:
  type: connector
  columns: { k: STRING, at: TIMESTAMP(3) }
  options: { connector: filesystem, path: ${dir}, format: json }
  timestampField: at
steps:
  - type: window
    keyBy: k
    size: 10s
    aggregates: [{ fn: count, as: n }]
sink: { type: blackhole }
`, out);
    const t0 = Date.UTC(2025, 0, 1);
    expect(out.map((r) => `${r.k}@${Number(r.windowStart) - t0}:${r.n}`).sort()).toEqual(['even@0:5', 'even@10000:5', 'even@20000:5', 'odd@0:5', 'odd@10000:5', 'odd@20000:5']);
  });

  test('connector options are checked by the factory, naming the option', async () => {
    await expect(run(`
source: { type: connector, columns: { id: BIGINT }, options: { connector: datagen, rows-per-secnd: 5 } }
sink: { type: blackhole }
`)).rejects.toThrow("unsupported option 'rows-per-secnd' (did you mean 'rows-per-second'?)");
    expect(() => parsePipeline('source: { type: connector, columns: {}, options: { connector: datagen } }\nsink: { type: blackhole }')).toThrow(PipelineError);
  });
});
