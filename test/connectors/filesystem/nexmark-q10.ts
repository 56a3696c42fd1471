// Nexmark q10 as the Nexmark project ships it (test/sql/nexmark/queries/q10.sql: a filesystem
// sink PARTITIONED BY (dt, hm), csv, partition-time commit with a success file, rolling every
// minute), run in-process over a bounded nexmark table, and the expected partitions computed
// directly from the generator. Shared by the local test and the MinIO test.

import { readFileSync } from 'node:fs';
import { createNexmarkGenerator, type Bid } from '../../../runtime/connectors/nexmark/index.ts';
import { DEFAULT_VARIABLES, substituteVariables } from '../../sql/nexmark/nexmark-queries.ts';

export const Q10_EVENTS = 5_000;
const TPS = 20; // 20 events per second of event time: 5,000 events span about 4 minutes, so several hm partitions

const query = (file: string, vars: Record<string, string>): string =>
  substituteVariables(readFileSync(new URL(`../../sql/nexmark/queries/${file}`, import.meta.url), 'utf8'), { ...DEFAULT_VARIABLES, EVENTS_NUM: String(Q10_EVENTS), TPS: String(TPS), ...vars });

/** ddl_gen + ddl_views + q10 with its `path` replaced by `target` (a directory or s3:// prefix). */
export function q10Script(target: string): string {
  const body = query('q10.sql', { NEXMARK_DIR: '/unused', SUBMIT_TIME: '0' }).replace(/'path' = '[^']*'/, `'path' = '${target}'`);
  return [query('ddl_gen.sql', {}), query('ddl_views.sql', {}), body].join(';\n');
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Each bid as the CSV line q10 writes (partition columns are in the path, not in the file), by partition directory. */
export function expectedQ10(): Map<string, string[]> {
  const gen = createNexmarkGenerator({ events: Q10_EVENTS, seed: 42, eventsPerSecond: TPS });
  const out = new Map<string, string[]>();
  for (let i = 0; i < Q10_EVENTS; i++) {
    const e = gen.eventAt(i);
    if (e.kind !== 'bid') continue;
    const b = e as Bid;
    const d = new Date(b.dateTime);
    const dir = `dt=${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}/hm=${pad(d.getUTCHours())}%3A${pad(d.getUTCMinutes())}`;
    // TIMESTAMP(3) text as Flink writes it: the fraction without trailing zeros
    const ts = `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 23)}`.replace(/\.?0+$/, '');
    const line = `${b.auction},${b.bidder},${b.price},${ts},${b.extra}`;
    out.set(dir, [...(out.get(dir) ?? []), line]);
  }
  return out;
}
