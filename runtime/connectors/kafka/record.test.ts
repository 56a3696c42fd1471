import { valueDecoder, valueEncoder, type KafkaSourceRecord } from './record.ts';

const rec = (value: string | null): KafkaSourceRecord => ({ topic: 't', partition: 0, offset: 5, timestamp: 0, key: null, value: value === null ? null : Buffer.from(value), headers: [] });

describe('Kafka value formats of the DataStream API', () => {
  test('json, raw and csv round-trip a value; a tombstone reads as null', () => {
    const row = { id: 1, name: 'a, "b"' };
    for (const o of [{ format: 'json' as const }, { format: 'csv' as const, csvColumns: ['id', 'name'] }]) {
      const bytes = valueEncoder<typeof row>(o, 'sink')(row)!;
      const back = valueDecoder<Record<string, unknown>>(o, 'source')(rec(bytes.toString('utf8')));
      expect(String(back.id)).toBe('1');
      expect(back.name).toBe('a, "b"');
    }
    expect(valueDecoder<string>({ format: 'raw' }, 'source')(rec('plain text'))).toBe('plain text');
    expect(valueDecoder({ format: 'json' }, 'source')(rec(null))).toBeNull();
    expect(valueEncoder({ format: 'json' }, 'sink')(null)).toBeNull();
  });

  test('bad input names the record and the fix', () => {
    expect(() => valueDecoder({ format: 'json' }, 'Kafka source orders')(rec('{nope'))).toThrow(/MR_ERR_KAFKA_FORMAT: Kafka source orders: the value at t-0@5 is not JSON/);
    expect(() => valueDecoder({ format: 'csv' }, 'Kafka source')).toThrow(/needs csvColumns/);
  });
});
