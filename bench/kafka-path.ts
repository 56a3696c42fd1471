// The CPU of bench:kafka's per-record path in one process, without a broker: record batches as a
// fetch returns them (the input records of bench:kafka, encoded by the Kafka client) → the
// client's batch decoding → the json format's rows (the scan's projection pushed down) → the
// filter → the json format's output text → the client's record batches for the produce request.
// What it leaves out: the network, the broker, the task's loop and the JobManager. On a loaded
// machine CPU seconds per record are still comparable where wall time is not.
//
//   node bench/kafka-path.ts [--records 200000] [--passes 5]

import { createRecordsBatch, Reader, readRecordsBatches } from '@platformatic/kafka';
import { parseArgs } from 'node:util';
import { createConnectorRegistry } from '../runtime/connectors/factory/index.ts';
import { T, type RowField } from '../runtime/sql/types/data-type.ts';
import { PROJECTION } from './lib/kafka-data.ts';
import { bidRecords } from './lib/kafka-topics.ts';

const { values: options } = parseArgs({ options: { records: { type: 'string', default: '200000' }, passes: { type: 'string', default: '5' } } });
const records = Number(options.records);
const passes = Number(options.passes);

const columns: RowField[] = [
  { name: 'auction', type: T.bigint() }, { name: 'bidder', type: T.bigint() }, { name: 'price', type: T.bigint() }, { name: 'channel', type: T.string() },
  { name: 'url', type: T.string() }, { name: 'dateTime', type: T.timestamp(3) }, { name: 'extra', type: T.string() },
];
const projection = PROJECTION.map((name) => columns.findIndex((c) => c.name === name));
const registry = createConnectorRegistry();
const decoder = registry.resolveFormat('bids', columns, 'json').createDecoder(projection);
const encoder = registry.resolveFormat('bids_out', projection.map((i) => columns[i]!), 'json').createEncoder();
const price = PROJECTION.indexOf('price');

// the input as one fetch response's records: batches of 2,000 records, as the bench's fill writes them
const inputs = [...bidRecords(42, records)].map((json) => Buffer.from(json));
const batches: Buffer[] = [];
for (let i = 0; i < inputs.length; i += 2000) batches.push(createRecordsBatch(inputs.slice(i, i + 2000).map((value) => ({ topic: 'in', partition: 0, value }))).buffer);
const fetched = Buffer.concat(batches);

let written = 0;
const cpu = process.cpuUsage();
for (let pass = 0; pass < passes; pass++) {
  let out: Array<{ topic: string; partition: number; value: Buffer }> = [];
  for (const batch of readRecordsBatches(Reader.from(fetched))) {
    for (const r of batch.records) {
      const values = decoder.decode((r.value as Buffer).toString('utf8'));
      if (values === null || !((values[price] as number) >= 100_000)) continue;
      out.push({ topic: 'out', partition: written++ & 1, value: Buffer.from(encoder.encode(values)) });
      if (out.length === 1000) {
        createRecordsBatch(out);
        out = [];
      }
    }
  }
}
const used = process.cpuUsage(cpu);
const seconds = (used.user + used.system) / 1e6;
const n = records * passes;
process.stdout.write(`${n.toLocaleString('en-US')} records (${written.toLocaleString('en-US')} written) in ${seconds.toFixed(2)} CPU s: ${Math.round(n / seconds).toLocaleString('en-US')} records per CPU second, ${((seconds / n) * 1e6).toFixed(2)} µs per record\n`);
