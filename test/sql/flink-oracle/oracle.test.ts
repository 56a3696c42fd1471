// The Flink SQL oracle for real: Flink's table planner and runtime (Maven Central, bench/flink-sql)
// run a Nexmark pass-through (q0) and a GROUP BY over events that Millrace's nexmark connector
// generated; the rows its sinks end with must be what we compute directly from the generator.

import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SecretResolver, createConnectorRegistry } from '../../../runtime/connectors/factory/index.ts';
import { createNexmarkGenerator, type Bid } from '../../../runtime/connectors/nexmark/index.ts';
import { prepareRun } from './prepare.ts';
import { ensureOracleJar, runOracle } from './oracle.ts';

const EVENTS = 3000;
const SEED = 7;
const nexmarkDdl = ['ddl_gen.sql', 'ddl_views.sql'].map((f) => readFileSync(new URL(`../nexmark/queries/${f}`, import.meta.url), 'utf8')).join(';\n');

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const sqlTimestamp = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
};

describe('Flink SQL oracle (bench/flink-sql on Flink 1.20 from Maven Central)', () => {
  jest.setTimeout(600_000);

  test('q0 and a GROUP BY over the Nexmark bid view end with the rows computed from the generator', async () => {
    const workDir = mkdtempSync(path.join(tmpdir(), 'millrace-oracle-'));
    const sql = `${nexmarkDdl};
CREATE TABLE nexmark_q0 (auction BIGINT, bidder BIGINT, price BIGINT, \`dateTime\` TIMESTAMP(3), extra VARCHAR) WITH ('connector' = 'blackhole');
CREATE TABLE bids_per_auction (auction BIGINT, bids BIGINT, top_price BIGINT, PRIMARY KEY (auction) NOT ENFORCED) WITH ('connector' = 'blackhole');
CREATE TABLE bids_per_channel (channel VARCHAR, bids BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO nexmark_q0 SELECT auction, bidder, price, \`dateTime\`, extra FROM bid;
INSERT INTO bids_per_auction SELECT auction, COUNT(*), MAX(price) FROM bid GROUP BY auction;
INSERT INTO bids_per_channel SELECT channel, COUNT(*) FROM bid GROUP BY channel;
`;
    const prepared = await prepareRun(sql, createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') }), { events: EVENTS, seed: SEED, workDir });
    expect(prepared.inputs).toEqual([{ table: 'datagen', file: path.join(workDir, 'input-datagen.jsonl'), rows: EVENTS }]);
    const result = await runOracle(prepared, workDir, ensureOracleJar());
    expect(result.flinkVersion).toBe('1.20.3');

    // the same events, straight from the generator
    const gen = createNexmarkGenerator({ events: EVENTS, seed: SEED });
    const bids = Array.from({ length: EVENTS }, (_, i) => gen.eventAt(i)).filter((e): e is Bid => e.kind === 'bid');
    expect(bids.length).toBeGreaterThan(EVENTS / 2);

    const q0 = result.sinks.find((s) => s.table === 'nexmark_q0')!;
    const expectedQ0 = bids.map((b) => JSON.stringify([b.auction, b.bidder, b.price, sqlTimestamp(b.dateTime), b.extra])).sort();
    expect(q0.rows).toEqual(expectedQ0);

    const perAuction = new Map<number, { n: number; top: number }>();
    for (const b of bids) {
      const a = perAuction.get(b.auction) ?? { n: 0, top: Number.NEGATIVE_INFINITY };
      perAuction.set(b.auction, { n: a.n + 1, top: Math.max(a.top, b.price) });
    }
    const upsert = result.sinks.find((s) => s.table === 'bids_per_auction')!;
    expect(upsert.rows).toEqual([...perAuction].map(([a, v]) => JSON.stringify([a, v.n, v.top])).sort());

    const perChannel = new Map<string, number>();
    for (const b of bids) perChannel.set(b.channel, (perChannel.get(b.channel) ?? 0) + 1);
    const retracting = result.sinks.find((s) => s.table === 'bids_per_channel')!;
    expect(retracting.rows).toEqual([...perChannel].map(([c, n]) => JSON.stringify([c, n])).sort());
    expect(retracting.problems).toEqual([]);
  });
});
