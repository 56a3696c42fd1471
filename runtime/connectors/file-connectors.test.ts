import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineJob } from '../api/environment.ts';
import type { SourceOutput } from '../api/source.ts';
import { executeLocally } from '../local/local-executor.ts';
import { collectSink } from './collect-sink.ts';
import { fileSink } from './file-sink.ts';
import { fileSource } from './file-source.ts';
import { ConnectorMetricGroup } from '../metrics/connector-metric-group.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'files-'));
type Row = { id: number; name: string };

describe('file source and sink', () => {
  test('JSON lines from a directory are read by parallel subtasks and written as committed part files', async () => {
    const input = tmp();
    const out = tmp();
    for (let f = 0; f < 3; f++) {
      writeFileSync(path.join(input, `in-${f}.jsonl`), Array.from({ length: 1000 }, (_, i) => JSON.stringify({ id: f * 1000 + i, name: `n${i}` })).join('\n') + '\n');
    }
    await executeLocally(defineJob({
      name: 'copy',
      build(env) {
        env.fromSource(fileSource<Row>({ path: input, format: 'jsonl' })).map((r) => ({ ...r, id: r.id * 2 })).sinkTo(fileSink({ path: out, format: 'jsonl' }));
      },
    }), { parallelism: 2 }).done;
    const files = readdirSync(out);
    expect(files.sort()).toEqual(['part-local-0-end.jsonl', 'part-local-1-end.jsonl']);
    const ids = files.flatMap((f) => readFileSync(path.join(out, f), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as Row).id));
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 3000 }, (_, i) => i * 2));
  });

  test('CSV with header and quoting round-trips through sink and source', async () => {
    const dir = tmp();
    const rows = [{ id: 1, name: 'plain' }, { id: 2, name: 'with, comma' }, { id: 3, name: 'with "quotes"' }];
    await executeLocally(defineJob({
      name: 'csv-out',
      build(env) {
        env.fromElements(rows).sinkTo(fileSink({ path: dir, format: 'csv', csvColumns: ['id', 'name'] }));
      },
    })).done;
    expect(readFileSync(path.join(dir, 'part-local-0-end.csv'), 'utf8')).toBe('1,plain\n2,"with, comma"\n3,"with ""quotes"""\n');
    const withHeader = tmp();
    writeFileSync(path.join(withHeader, 'a.csv'), 'id,name\n' + readFileSync(path.join(dir, 'part-local-0-end.csv'), 'utf8'));
    const back: Row[] = [];
    await executeLocally(defineJob({
      name: 'csv-in',
      build(env) {
        env.fromSource(fileSource<Row>({ path: withHeader, format: 'csv' })).sinkTo(collectSink(back));
      },
    })).done;
    expect(back).toEqual(rows);
  });

  test('a reader restored from its position continues with the next line', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'x.txt'), 'a\r\nbb\nccc\ndddd\n');
    const src = fileSource<string>({ path: dir, format: 'text' });
    const ctx = { subtaskIndex: 0, parallelism: 1, attempt: 0, startTime: 0, now: () => 0 };
    const got: string[] = [];
    const out: SourceOutput<string> = { collect: (v) => got.push(v) };
    const r1 = src.createReader();
    r1.open!(ctx);
    expect(r1.pollNext(out, 2)).toBe('more');
    const pos = r1.snapshotState!();
    const r2 = src.createReader();
    r2.open!(ctx);
    r2.restoreState!(JSON.parse(JSON.stringify(pos)));
    while (r2.pollNext(out, 10) !== 'end');
    expect(got).toEqual(['a', 'bb', 'ccc', 'dddd']);
  });
});

test('the local file source and sink report records and bytes as connector metrics', async () => {
  const dir = tmp();
  const text = '{"id":1,"name":"a"}\n{"id":2,"name":"b"}\n';
  writeFileSync(path.join(dir, 'in.jsonl'), text);
  const read = new ConnectorMetricGroup('source', 'filesystem', 'src');
  const reader = fileSource<Row>({ path: dir, format: 'jsonl' }).createReader();
  await reader.open!({ subtaskIndex: 0, parallelism: 1, attempt: 0, startTime: 0, now: () => 0, connectorMetrics: () => read });
  const rows: Row[] = [];
  while (reader.pollNext({ collect: (r) => rows.push(r) }, 100) !== 'end');
  expect(rows).toHaveLength(2);
  expect(read.snapshot()).toMatchObject({ recordsIn: 2, bytesIn: Buffer.byteLength(text) });
  const written = new ConnectorMetricGroup('sink', 'filesystem', 'out');
  const w = fileSink<Row>({ path: tmp(), format: 'jsonl' }).createWriter();
  await w.open!({ subtaskIndex: 0, parallelism: 1, attempt: 0, jobId: 'j', startTime: 0, restoring: false, recordLatency: () => {}, connectorMetrics: () => written });
  rows.forEach((r) => w.write(r, undefined));
  w.snapshotState!(1);
  expect(written.snapshot()).toMatchObject({ recordsOut: 2, bytesOut: Buffer.byteLength(text) });
  await w.finish!();
  await w.close!();
});
