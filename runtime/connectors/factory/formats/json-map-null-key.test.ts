// 'json.map-null-key.mode' / 'json.map-null-key.literal': NULL keys of MAPs and NULL elements of
// MULTISETs at any depth, written as Flink 1.20's json format writes them (compared with Flink in
// test/sql/flink-oracle/json-map-null-key.test.ts); the mode refused up front when unknown.
import { T, type RowField } from '../../../sql/types/data-type.ts';
import { SecretResolver, createConnectorRegistry } from '../index.ts';

const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });
const columns: RowField[] = [
  { name: 'id', type: T.int() },
  { name: 'm', type: T.map(T.string(), T.int()) },
  { name: 'nested', type: T.row([{ name: 'ms', type: T.multiset(T.string()) }, { name: 'arr', type: T.array(T.map(T.string(), T.string())) }]) },
];
const encoder = (options: Record<string, string> = {}) => registry.resolveFormat('sink_t', columns, 'json', options).createEncoder();
const row = [1, new Map<string | null, number>([['a', 1], [null, 2]]), [[null, 'x', null], [new Map([[null, 'v'], ['k', 'w']])]]];
const plain = [2, new Map([['a', 1]]), [['x', 'x'], []]];

describe("json format: 'map-null-key.mode'", () => {
  test('FAIL (the default) fails the record with Flink\'s message, naming the table, the column and the fix', () => {
    expect(() => encoder().encode(row)).toThrow("MR_ERR_FORMAT_DATA: table 'sink_t', column 'm', format json: JSON format doesn't support to serialize map data with null keys. You can drop null key entries or encode null in literals by specifying map-null-key.mode option: set 'json.map-null-key.mode' = 'DROP' or 'LITERAL'");
    expect(() => encoder({ 'map-null-key.mode': 'FAIL' }).encode([3, new Map([['a', 1]]), [[null], []]])).toThrow(/column 'nested'/);
    // maps without NULL keys are written as before
    expect(encoder().encode(plain)).toBe('{"id":2,"m":{"a":1},"nested":{"ms":{"x":2},"arr":[]}}');
  });

  test('DROP leaves the entries with a NULL key out, at any depth', () => {
    expect(encoder({ 'map-null-key.mode': 'DROP' }).encode(row)).toBe('{"id":1,"m":{"a":1},"nested":{"ms":{"x":1},"arr":[{"k":"w"}]}}');
  });

  test('LITERAL writes the literal as the key: "null" by default, or map-null-key.literal', () => {
    expect(encoder({ 'map-null-key.mode': 'literal' }).encode(row)).toBe('{"id":1,"m":{"a":1,"null":2},"nested":{"ms":{"null":2,"x":1},"arr":[{"null":"v","k":"w"}]}}');
    expect(encoder({ 'map-null-key.mode': 'LITERAL', 'map-null-key.literal': 'N/A' }).encode(row)).toBe('{"id":1,"m":{"a":1,"N/A":2},"nested":{"ms":{"N/A":2,"x":1},"arr":[{"N/A":"v","k":"w"}]}}');
  });

  test('an unknown mode is refused when the table is resolved, listing the modes', () => {
    expect(() => encoder({ 'map-null-key.mode': 'IGNORE' })).toThrow(/map-null-key\.mode.*expected one of 'FAIL', 'DROP', 'LITERAL', got 'IGNORE'/);
  });
});
