// Table connectors used with plain objects from DataStream jobs (fromSource / sinkTo), in-process.

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineJob } from '../../api/environment.ts';
import { executeLocally } from '../../local/local-executor.ts';
import { collectSink } from '../collect-sink.ts';
import { ConnectorError, SecretResolver, createConnectorRegistry, objectSink, objectSource, type ObjectTable } from './index.ts';

const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });

describe('table connectors from DataStream code (objects)', () => {
  test('objects written through the filesystem sink are read back as the same objects, nested ROWs included', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'millrace-objects-'));
    const table: ObjectTable = {
      name: 'orders',
      columns: { id: 'BIGINT', item: 'ROW<name STRING, price DECIMAL(8, 2)>', at: 'TIMESTAMP(3)' },
      options: { connector: 'filesystem', path: dir, format: 'json' },
    };
    const orders = Array.from({ length: 50 }, (_, i) => ({ id: i, item: { name: `item-${i % 7}`, price: `${i}.25` }, at: Date.UTC(2025, 0, 1) + i * 1000 }));
    await executeLocally(defineJob({ name: 'write', build: (env) => env.fromElements(orders).sinkTo(objectSink(registry, table)) }), { parallelism: 2 }).done;
    const text = readdirSync(dir).filter((f) => !f.startsWith('.')).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('');
    expect(text).toContain('{"id":3,"item":{"name":"item-3","price":3.25},"at":"2025-01-01 00:00:03"}');
    const back: Array<Record<string, unknown>> = [];
    await executeLocally(defineJob({ name: 'read', build: (env) => env.fromSource(objectSource(registry, table)).sinkTo(collectSink(back)) }), { parallelism: 2 }).done;
    expect(back.sort((a, b) => Number(a.id) - Number(b.id))).toEqual(orders);
  });

  test('a column type that is not Flink SQL is refused naming the table and column', () => {
    expect(() => objectSource(registry, { name: 't', columns: { a: 'BIGNUM' }, options: { connector: 'datagen' } })).toThrow(ConnectorError);
    expect(() => objectSource(registry, { name: 't', columns: { a: 'BIGNUM' }, options: { connector: 'datagen' } })).toThrow("table 't', column 'a': 'BIGNUM' is not a Flink SQL type");
  });
});
