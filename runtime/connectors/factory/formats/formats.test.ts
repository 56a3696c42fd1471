import { T } from '../../../sql/types/data-type.ts';
import { SecretResolver, createConnectorRegistry } from '../index.ts';
import { ConnectorError } from '../errors.ts';
import type { RowField } from '../../../sql/types/data-type.ts';

const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });

function format(columns: RowField[], name: string, options: Record<string, string> = {}) {
  const f = registry.resolveFormat('t', columns, name, options);
  return { decoder: f.createDecoder(), encoder: f.createEncoder() };
}

const nested: RowField[] = [
  { name: 'id', type: T.bigint() },
  { name: 'price', type: T.decimal(10, 2) },
  { name: 'ts', type: T.timestamp(3) },
  { name: 'bid', type: T.row([{ name: 'auction', type: T.bigint() }, { name: 'dateTime', type: T.timestamp(3) }]) },
  { name: 'tags', type: T.array(T.string()) },
  { name: 'ok', type: T.boolean() },
];

describe('formats', () => {
  test('json reads Flink json records (SQL timestamps, nested ROWs, exact decimals) and writes them back the same', () => {
    const { decoder, encoder } = format(nested, 'json');
    const line = '{"id":7,"price":12.3,"ts":"2025-01-01 00:00:04.5","bid":{"auction":1001,"dateTime":"2025-01-01 00:00:04"},"tags":["a","b"],"ok":true}';
    const values = decoder.decode(line)!;
    expect(values).toEqual([7, '12.30', Date.UTC(2025, 0, 1, 0, 0, 4, 500), [1001, Date.UTC(2025, 0, 1, 0, 0, 4)], ['a', 'b'], true]);
    expect(encoder.encode(values)).toBe('{"id":7,"price":12.30,"ts":"2025-01-01 00:00:04.5","bid":{"auction":1001,"dateTime":"2025-01-01 00:00:04"},"tags":["a","b"],"ok":true}');
  });

  test('json with a projection (push-down) gives those columns in that order, and still reads and checks the others', () => {
    const columns: RowField[] = [{ name: 'a', type: T.bigint() }, { name: 'b', type: T.string() }, { name: 'ts', type: T.timestamp(3) }];
    const projected = registry.resolveFormat('t', columns, 'json').createDecoder([2, 0]);
    expect(projected.decode('{"a":1,"b":"x","ts":"2025-01-01 00:00:04.5"}')).toEqual([Date.UTC(2025, 0, 1, 0, 0, 4, 500), 1]);
    expect(projected.decode('{"a":2}')).toEqual([null, 2]);
    // a bad value in a column the query does not read fails the record as without push-down (Flink reads the whole row)
    expect(() => registry.resolveFormat('t', columns, 'json').createDecoder([1]).decode('{"a":"abc","b":"x"}')).toThrow(/cannot read record/);
    expect(registry.resolveFormat('t', columns, 'json', { 'ignore-parse-errors': 'true' }).createDecoder([1]).decode('{"a":"abc","b":"x"}')).toBeNull();
    expect(() => registry.resolveFormat('t', columns, 'json', { 'fail-on-missing-field': 'true' }).createDecoder([0]).decode('{"a":1,"b":"x"}')).toThrow(/field 'ts' is missing/);
    expect(() => registry.resolveFormat('t', columns, 'csv').createDecoder([0])).toThrow(/format 'csv' cannot decode a projection/);
  });

  test('json: BIGINT beyond 2^53 is written exactly; a missing field is NULL; a bad record fails unless ignore-parse-errors', () => {
    const { decoder, encoder } = format([{ name: 'n', type: T.bigint() }], 'json');
    expect(encoder.encode([2n ** 62n])).toBe('{"n":4611686018427387904}');
    expect(decoder.decode('{"n":"4611686018427387904"}')).toEqual([2n ** 62n]);
    expect(decoder.decode('{}')).toEqual([null]);
    expect(() => decoder.decode('{"n":"abc"}')).toThrow(ConnectorError);
    const lenient = format([{ name: 'n', type: T.bigint() }], 'json', { 'ignore-parse-errors': 'true' });
    expect(lenient.decoder.decode('not json')).toBeNull();
  });

  test('csv reads and writes fields in column order, quoting when needed, empty non-string fields as NULL', () => {
    const cols: RowField[] = [{ name: 'id', type: T.int() }, { name: 'name', type: T.string() }, { name: 'ts', type: T.timestamp(3) }];
    const { decoder, encoder } = format(cols, 'csv');
    expect(decoder.decode('1,"a, b",2025-01-01 10:00:00.25')).toEqual([1, 'a, b', Date.UTC(2025, 0, 1, 10, 0, 0, 250)]);
    expect(decoder.decode(',x,')).toEqual([null, 'x', null]);
    expect(encoder.encode([1, 'a, b', Date.UTC(2025, 0, 1, 10)])).toBe('1,"a, b",2025-01-01 10:00:00');
    const semi = format(cols, 'csv', { 'field-delimiter': ';' });
    expect(semi.decoder.decode('3;y;')).toEqual([3, 'y', null]);
  });

  test('format options are checked by name, without their prefix', () => {
    expect(() => registry.resolveFormat('t', nested, 'json', { 'ignore-parse-error': 'true' })).toThrow("table 't': unsupported option 'json.ignore-parse-error'");
    expect(() => registry.resolveFormat('t', nested, 'yaml')).toThrow('MR_ERR_FORMAT_UNKNOWN');
  });

  test('raw carries the record as its single column', () => {
    const { decoder, encoder } = format([{ name: 'line', type: T.string() }], 'raw');
    expect(decoder.decode('hello, world')).toEqual(['hello, world']);
    expect(encoder.encode(['x'])).toBe('x');
  });
});

describe('json: MAP and MULTISET as Flink 1.20.3 writes and reads them', () => {
  // Flink wrote COLLECT(s) of a, b, a, c, a, b as {"a":3,"c":1,"b":2} (filesystem sink, json format)
  test('a MULTISET is an object element → count, read back as its elements; an array is read too', () => {
    const cols: RowField[] = [{ name: 'ms', type: T.multiset(T.string()) }, { name: 'mp', type: T.map(T.string(), T.int()) }];
    const { decoder, encoder } = format(cols, 'json');
    expect(encoder.encode([['a', 'a', 'a', 'b', 'b', 'c'], new Map([['x', 21]])])).toBe('{"ms":{"a":3,"b":2,"c":1},"mp":{"x":21}}');
    expect(decoder.decode('{"ms":{"a":3,"c":1,"b":2},"mp":{"x":21}}')).toEqual([['a', 'a', 'a', 'c', 'b', 'b'], new Map([['x', 21]])]);
    expect(decoder.decode('{"ms":["a","b","a"],"mp":null}')).toEqual([['a', 'b', 'a'], null]);
    expect(encoder.encode([[], null])).toBe('{"ms":{},"mp":null}');
  });

  test('a MAP key or MULTISET element that is not a string is refused up front, as Flink does', () => {
    expect(() => registry.resolveFormat('t', [{ name: 'mi', type: T.multiset(T.int()) }], 'json')).toThrow("table 't', column 'mi': JSON format doesn't support non-string as key type of map. The type is: MULTISET<INT>");
    expect(() => registry.resolveFormat('t', [{ name: 'r', type: T.row([{ name: 'm', type: T.map(T.int(), T.string()) }]) }], 'json')).toThrow('The type is: MAP<INT, STRING>');
  });
});
