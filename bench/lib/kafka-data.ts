// The data of `npm run bench:kafka` (pure): the input records (Nexmark bids as JSON, in the
// format both sides' `json` format reads for the input table), the SQL both sides run, and the
// reference filter/projection that a side's output is checked against.

import type { Bid } from '../../runtime/connectors/nexmark/index.ts';

/** The filter and projection both sides run; `referenceOutput` below is the same in TypeScript. */
export const FILTER_SQL = 'price >= 100000';
export const PROJECTION = ['auction', 'bidder', 'price', 'channel', 'dateTime'] as const;

/** `yyyy-MM-dd HH:mm:ss.SSS` in UTC: the SQL timestamp text of Flink's and Millrace's `json` format. */
export function sqlTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace('Z', '');
}

/** One input record: a bid as a flat JSON object. */
export function bidJson(bid: Bid): string {
  return JSON.stringify({ auction: bid.auction, bidder: bid.bidder, price: bid.price, channel: bid.channel, url: bid.url, dateTime: sqlTimestamp(bid.dateTime), extra: bid.extra });
}

export interface TopicNames {
  readonly input: string;
  readonly output: string;
}

export interface SqlOptions {
  readonly bootstrap: string;
  readonly topics: TopicNames;
  /** read the input to its end offsets at start and finish (the verification run) */
  readonly bounded: boolean;
}

/** The statements both sides run, in this order (Flink's option names; Millrace's `kafka` table reads them as Flink does). */
export function benchStatements(o: SqlOptions): string[] {
  return [
    `CREATE TABLE bids (
  auction BIGINT,
  bidder BIGINT,
  price BIGINT,
  channel STRING,
  url STRING,
  dateTime TIMESTAMP(3),
  extra STRING
) WITH (
  'connector' = 'kafka',
  'topic' = '${o.topics.input}',
  'properties.bootstrap.servers' = '${o.bootstrap}',
  'scan.startup.mode' = 'earliest-offset',${o.bounded ? `\n  'scan.bounded.mode' = 'latest-offset',` : ''}
  'format' = 'json'
)`,
    `CREATE TABLE bids_out (
  ${PROJECTION.map((c) => `${c} ${c === 'channel' ? 'STRING' : c === 'dateTime' ? 'TIMESTAMP(3)' : 'BIGINT'}`).join(',\n  ')}
) WITH (
  'connector' = 'kafka',
  'topic' = '${o.topics.output}',
  'properties.bootstrap.servers' = '${o.bootstrap}',
  'sink.delivery-guarantee' = 'at-least-once',
  'format' = 'json'
)`,
    `INSERT INTO bids_out SELECT ${PROJECTION.join(', ')} FROM bids WHERE ${FILTER_SQL}`,
  ];
}

export function benchScript(o: SqlOptions): string {
  return `${benchStatements(o).join(';\n\n')};\n`;
}

/** The output row the filter/projection gives for one input record, or null when the filter drops it. */
export function referenceOutput(inputJson: string): Record<string, unknown> | null {
  const row = JSON.parse(inputJson) as Record<string, unknown>;
  if (!((row.price as number) >= 100000)) return null;
  return Object.fromEntries(PROJECTION.map((c) => [c, row[c]]));
}

/**
 * One output record as a comparable line: the projected columns in order, numbers as numbers and
 * timestamps as epoch ms (a side may write `…:04.500` or `…:04.5`; both are the same value).
 */
export function canonicalRow(row: Record<string, unknown>): string {
  return JSON.stringify(PROJECTION.map((c) => {
    const v = row[c];
    if (c === 'dateTime' && typeof v === 'string') return Date.parse(`${v.replace(' ', 'T')}Z`);
    return v ?? null;
  }));
}

export interface OutputCheck {
  readonly expectedRows: number;
  readonly rows: number;
  readonly equal: boolean;
  /** the first difference, for the error message */
  readonly difference: string | null;
}

/** Whether `outputs` (JSON values of the output topic, any order) are exactly the reference rows of `inputs`, as a multiset. */
export function checkOutput(inputs: readonly string[], outputs: readonly string[]): OutputCheck {
  const want = new Map<string, number>();
  let expectedRows = 0;
  for (const input of inputs) {
    const out = referenceOutput(input);
    if (out === null) continue;
    const line = canonicalRow(out);
    want.set(line, (want.get(line) ?? 0) + 1);
    expectedRows++;
  }
  let difference: string | null = null;
  for (const output of outputs) {
    let line: string;
    try {
      line = canonicalRow(JSON.parse(output) as Record<string, unknown>);
    } catch {
      difference ??= `an output record is not JSON: ${output.slice(0, 120)}`;
      continue;
    }
    const n = want.get(line) ?? 0;
    if (n === 0) difference ??= `an output row the reference does not have (or has fewer times): ${output.slice(0, 200)}`;
    else if (n === 1) want.delete(line);
    else want.set(line, n - 1);
  }
  if (difference === null && want.size > 0) difference = `${[...want.values()].reduce((a, b) => a + b, 0)} reference row(s) missing from the output, e.g. ${[...want.keys()][0]}`;
  return { expectedRows, rows: outputs.length, equal: difference === null && outputs.length === expectedRows, difference };
}
