// debezium-json, canal-json and avro: records to rows and back, as Flink reads and writes them.
import { T, type RowField } from '../../../sql/types/data-type.ts';
import { createConnectorRegistry } from '../index.ts';
import { SecretResolver } from '../secrets.ts';
import { deriveAvroSchema } from './avro.ts';

const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });
const columns: RowField[] = [{ name: 'id', type: T.bigint(false) }, { name: 'name', type: T.string() }, { name: 'at', type: T.timestamp(3) }];
const fmt = (name: string, options: Record<string, string> = {}) => registry.resolveFormat('t', columns, name, options);

describe('debezium-json', () => {
  const d = fmt('debezium-json').createDecoder();
  test('c/r → +I, u → -U and +U, d → -D; the schema envelope is unwrapped; a null (tombstone) is nothing', () => {
    expect(d.decodeChangelog!('{"before":null,"after":{"id":1,"name":"a","at":"2024-01-02 10:00:00"},"op":"c"}')).toEqual([{ kind: '+I', values: [1, 'a', Date.UTC(2024, 0, 2, 10)] }]);
    expect(d.decodeChangelog!('{"before":{"id":1,"name":"a","at":null},"after":{"id":1,"name":"b","at":null},"op":"u"}')).toEqual([{ kind: '-U', values: [1, 'a', null] }, { kind: '+U', values: [1, 'b', null] }]);
    expect(d.decodeChangelog!('{"schema":{},"payload":{"before":{"id":2,"name":"x","at":null},"after":null,"op":"d"}}')).toEqual([{ kind: '-D', values: [2, 'x', null] }]);
    expect(d.decodeChangelog!('null')).toEqual([]);
  });
  test('a bad record names the table, the format and the option that skips it', () => {
    expect(() => d.decodeChangelog!('{"op":"x"}')).toThrow(/table 't', format debezium-json: .*unknown op "x".*'debezium-json.ignore-parse-errors'/);
    expect(fmt('debezium-json', { 'ignore-parse-errors': 'true' }).createDecoder().decodeChangelog!('{"op":"x"}')).toEqual([]);
  });
  test('written as Flink writes it: +I/+U as op c, -U/-D as op d', () => {
    const e = fmt('debezium-json').createEncoder();
    expect(e.encodeChangelog!({ kind: '+U', values: [1, 'b', null] })).toBe('{"before":null,"after":{"id":1,"name":"b","at":null},"op":"c"}');
    expect(e.encodeChangelog!({ kind: '-U', values: [1, 'a', null] })).toBe('{"before":{"id":1,"name":"a","at":null},"after":null,"op":"d"}');
  });
});

describe('canal-json', () => {
  const d = fmt('canal-json').createDecoder();
  test('INSERT rows → +I, UPDATE with old values → -U and +U per row, DELETE → -D; DDL messages carry no rows', () => {
    expect(d.decodeChangelog!('{"data":[{"id":"1","name":"a","at":null},{"id":"2","name":"b","at":null}],"type":"INSERT","database":"db","table":"t"}'))
      .toEqual([{ kind: '+I', values: [1, 'a', null] }, { kind: '+I', values: [2, 'b', null] }]);
    expect(d.decodeChangelog!('{"data":[{"id":1,"name":"new","at":null}],"old":[{"name":"old"}],"type":"UPDATE"}'))
      .toEqual([{ kind: '-U', values: [1, 'old', null] }, { kind: '+U', values: [1, 'new', null] }]);
    expect(d.decodeChangelog!('{"data":[{"id":3,"name":"c","at":null}],"type":"DELETE"}')).toEqual([{ kind: '-D', values: [3, 'c', null] }]);
    expect(d.decodeChangelog!('{"data":null,"type":"CREATE","sql":"CREATE TABLE t"}')).toEqual([]);
  });
  test('database.include and table.include filter messages', () => {
    const only = fmt('canal-json', { 'table.include': 'orders|items' }).createDecoder();
    expect(only.decodeChangelog!('{"data":[{"id":1}],"type":"INSERT","table":"users"}')).toEqual([]);
    expect(only.decodeChangelog!('{"data":[{"id":1}],"type":"INSERT","table":"items"}')).toEqual([{ kind: '+I', values: [1, null, null] }]);
  });
});

describe('avro', () => {
  test('the derived schema is Flink\'s: nullable fields as unions with null, timestamps as timestamp-millis longs', () => {
    expect(deriveAvroSchema('t', columns)).toEqual({
      type: 'record', name: 'record', fields: [
        { name: 'id', type: 'long' },
        { name: 'name', type: ['null', 'string'], default: null },
        { name: 'at', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null },
      ],
    });
  });
  test('values round-trip through Avro binary, with the derived schema and with an inline one', () => {
    const row = [42, 'x', Date.UTC(2024, 0, 2, 10, 0, 0, 5)];
    const f = fmt('avro');
    const bytes = f.createEncoder().encodeBytes!(row);
    expect(bytes.length).toBeLessThan(20);
    expect(f.createDecoder().decodeBytes!(bytes)).toEqual(row);
    const inline = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'at', type: 'long' }, { name: 'name', type: 'string' }, { name: 'id', type: 'long' }, { name: 'extra', type: 'int', default: 7 }] });
    const g = fmt('avro', { schema: inline });
    expect(g.createDecoder().decodeBytes!(g.createEncoder().encodeBytes!(row))).toEqual(row);
  });
  test('an inline schema without a column, or not JSON, is refused naming the option', () => {
    expect(() => fmt('avro', { schema: '{"type":"record","name":"r","fields":[{"name":"id","type":"long"}]}' })).toThrow(/'avro.schema' has no field for columns 'name', 'at'/);
    expect(() => fmt('avro', { schema: '{nope' })).toThrow(/'avro.schema' is not JSON/);
    expect(() => registry.resolveFormat('t', [{ name: 'm', type: T.map(T.string(), T.int()) }], 'avro')).toThrow(/column 'm' has type MAP/);
  });
});
