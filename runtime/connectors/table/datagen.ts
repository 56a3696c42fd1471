// `'connector' = 'datagen'`: rows of random or sequence values with Flink's datagen options
// (`rows-per-second`, `number-of-rows`, `fields.<column>.kind` = random | sequence with
// min/max/max-past/length/null-rate, start/end). Unlike Flink's, random values are a pure
// function of (seed, row index), so a run repeats exactly and a restored source continues the
// same rows; row i goes to subtask i mod parallelism and its position is a row count.

import { z } from 'zod';
import type { Source, SourceReader } from '../../api/source.ts';
import type { DataType, RowField } from '../../sql/types/data-type.ts';
import { defineConnector, type ConnectorContext } from '../factory/connector.ts';
import { ConnectorError } from '../factory/errors.ts';
import { intOption, stringOption } from '../factory/options.ts';
import { parseDurationMs } from '../factory/options.ts';
import { insertRow, type ChangelogRow } from '../factory/row.ts';
import { normalizeDecimal } from '../factory/values.ts';
import { Prng, eventSeed } from '../nexmark/prng.ts';

const FIELD_OPTIONS = ['kind', 'min', 'max', 'max-past', 'length', 'start', 'end', 'null-rate', 'var-len'] as const;
type FieldOption = (typeof FIELD_OPTIONS)[number];

const options = z.object({
  'rows-per-second': intOption(1).default(10_000),
  'number-of-rows': intOption(0).optional(),
  'scan.parallelism': intOption(1).optional(),
  /** Millrace's: the seed of the random values */
  seed: intOption(-0x80000000, 0xffffffff).default(0),
});

type DatagenOptions = z.infer<typeof options> & Record<string, unknown>;

const INT_RANGE: Partial<Record<DataType['root'], [number, number]>> = {
  TINYINT: [-128, 127], SMALLINT: [-32768, 32767], INTEGER: [-2147483648, 2147483647],
  BIGINT: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};
const isIntegral = (t: DataType): boolean => INT_RANGE[t.root] !== undefined;
const isNumber = (t: DataType): boolean => isIntegral(t) || t.root === 'FLOAT' || t.root === 'DOUBLE' || t.root === 'DECIMAL';
const isText = (t: DataType): boolean => t.root === 'VARCHAR' || t.root === 'CHAR';

/** One column's generator, as its options say. */
interface FieldGen {
  readonly sequence: { start: number; end: number } | undefined;
  value(index: number, random: Prng, now: number): unknown;
}

function uniform(random: Prng): number {
  return (random.nextUint32() * 2 ** 21 + (random.nextUint32() >>> 11)) / 2 ** 53;
}

function randomValue(type: DataType, o: Partial<Record<FieldOption, string>>, random: Prng, now: number): unknown {
  const num = (k: FieldOption, d: number): number => (o[k] === undefined ? d : Number(o[k]));
  const length = num('length', type.root === 'ARRAY' || type.root === 'MAP' || type.root === 'MULTISET' ? 3 : 100);
  switch (type.root) {
    case 'BOOLEAN': return random.nextInt(2) === 1;
    case 'TINYINT': case 'SMALLINT': case 'INTEGER': case 'BIGINT': {
      const [lo, hi] = INT_RANGE[type.root]!;
      const min = num('min', lo), max = num('max', hi);
      return min + Math.floor(uniform(random) * (max - min + 1));
    }
    case 'FLOAT': case 'DOUBLE': {
      const min = num('min', 0), max = num('max', type.root === 'FLOAT' ? 3.4028234663852886e38 : Number.MAX_VALUE);
      const u = uniform(random);
      return min + u * max - u * min;
    }
    case 'DECIMAL': {
      const limit = 10 ** (type.precision - type.scale) - 10 ** -type.scale;
      const min = num('min', -limit), max = num('max', limit);
      const u = uniform(random);
      return normalizeDecimal(min + u * max - u * min, type.precision, type.scale) ?? '0';
    }
    case 'CHAR': case 'VARCHAR': {
      const n = Math.min(length, type.length);
      let s = '';
      for (let i = 0; i < n; i++) s += (random.nextInt(16)).toString(16);
      return s;
    }
    case 'BINARY': case 'VARBINARY': {
      const n = Math.min(length, type.length);
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = random.nextInt(256);
      return b;
    }
    case 'DATE': case 'TIME': case 'TIMESTAMP': case 'TIMESTAMP_LTZ': {
      const past = o['max-past'] === undefined ? 0 : parseDurationMs(o['max-past'])!;
      const ts = now - Math.floor(uniform(random) * (past + 1));
      return type.root === 'DATE' ? Math.floor(ts / 86_400_000) : type.root === 'TIME' ? ((ts % 86_400_000) + 86_400_000) % 86_400_000 : ts;
    }
    case 'ARRAY': case 'MULTISET': return Array.from({ length }, () => randomValue(type.element, {}, random, now));
    case 'MAP': return new Map(Array.from({ length }, () => [randomValue(type.key, {}, random, now), randomValue(type.value, {}, random, now)]));
    case 'ROW': return type.fields.map((f) => randomValue(f.type, {}, random, now));
    default: return null;
  }
}

function fieldOptions(o: DatagenOptions, column: string): Partial<Record<FieldOption, string>> {
  const out: Partial<Record<FieldOption, string>> = {};
  for (const k of FIELD_OPTIONS) {
    const v = o[`fields.${column}.${k}`];
    if (v !== undefined) out[k] = v as string;
  }
  return out;
}

/** Checks one column's options against its type; returns its generator. */
function fieldGen(table: string, col: RowField, o: Partial<Record<FieldOption, string>>): FieldGen {
  const refuse = (text: string): never => {
    throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}' (connector 'datagen'): column '${col.name}' ${col.type.root}: ${text}`);
  };
  const kind = (o.kind ?? 'random').toLowerCase();
  if (kind !== 'random' && kind !== 'sequence') refuse(`'fields.${col.name}.kind' must be 'random' or 'sequence', got '${o.kind}'`);
  for (const k of ['min', 'max', 'start', 'end', 'length', 'null-rate'] as const) {
    if (o[k] !== undefined && !Number.isFinite(Number(o[k]))) refuse(`'fields.${col.name}.${k}' must be a number, got '${o[k]}'`);
  }
  if (o['max-past'] !== undefined && parseDurationMs(o['max-past']) === undefined) refuse(`'fields.${col.name}.max-past' must be a duration such as '10 s', got '${o['max-past']}'`);
  const nullRate = o['null-rate'] === undefined ? 0 : Number(o['null-rate']);
  if (nullRate < 0 || nullRate > 1) refuse(`'fields.${col.name}.null-rate' must be in [0, 1], got ${nullRate}`);
  if (kind === 'sequence') {
    if (!isIntegral(col.type) && !isText(col.type) && col.type.root !== 'DECIMAL' && col.type.root !== 'FLOAT' && col.type.root !== 'DOUBLE') refuse(`a sequence needs a numeric or string column`);
    if (o.start === undefined || o.end === undefined) refuse(`a sequence needs 'fields.${col.name}.start' and 'fields.${col.name}.end'`);
    const start = Number(o.start), end = Number(o.end);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) refuse(`a sequence needs integers start <= end, got ${o.start} and ${o.end}`);
    for (const k of ['min', 'max', 'max-past', 'length', 'null-rate'] as const) if (o[k] !== undefined) refuse(`'fields.${col.name}.${k}' applies to random values, not to a sequence`);
    const text = isText(col.type);
    return { sequence: { start, end }, value: (i) => (text ? String(start + i) : col.type.root === 'DECIMAL' ? normalizeDecimal(start + i, (col.type as { precision: number }).precision, (col.type as { scale: number }).scale) : start + i) };
  }
  if (o.start !== undefined || o.end !== undefined) refuse(`'start' and 'end' apply to 'fields.${col.name}.kind' = 'sequence'`);
  if ((o.min !== undefined || o.max !== undefined) && !isNumber(col.type)) refuse(`'min' and 'max' apply to numeric columns`);
  if (o.min !== undefined && o.max !== undefined && Number(o.min) > Number(o.max)) refuse(`'fields.${col.name}.min' (${o.min}) is larger than 'max' (${o.max})`);
  if (o.length !== undefined && !['VARCHAR', 'CHAR', 'VARBINARY', 'BINARY', 'ARRAY', 'MAP', 'MULTISET'].includes(col.type.root)) refuse(`'length' applies to string, bytes and collection columns`);
  if (o['max-past'] !== undefined && !['DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ'].includes(col.type.root)) refuse(`'max-past' applies to date and time columns`);
  return { sequence: undefined, value: (_i, random, now) => (nullRate > 0 && uniform(random) < nullRate ? null : randomValue(col.type, o, random, now)) };
}

/** Total rows (null: unbounded): the smaller of number-of-rows and the shortest sequence. */
function rowCount(o: DatagenOptions, gens: readonly FieldGen[]): number | null {
  let n = o['number-of-rows'] ?? null;
  for (const g of gens) if (g.sequence) n = Math.min(n ?? Number.POSITIVE_INFINITY, g.sequence.end - g.sequence.start + 1);
  return n;
}

interface Split { s: number; p: number; emitted: number }

export function datagenSource(table: string, columns: readonly RowField[], o: DatagenOptions): Source<ChangelogRow> {
  const gens = columns.map((c) => fieldGen(table, c, fieldOptions(o, c.name)));
  const total = rowCount(o, gens);
  const rate = o['rows-per-second'];
  return {
    name: `datagen:${table}`,
    bounded: total !== null,
    createReader(): SourceReader<ChangelogRow> {
      const random = new Prng();
      let splits: Split[] = [];
      let startedAt = 0;
      let now: () => number = Date.now;
      let waitMs = 1;
      const next = (): Split | undefined => {
        let best: Split | undefined;
        for (const x of splits) {
          const i = x.s + x.p * x.emitted;
          if ((total === null || i < total) && (!best || i < best.s + best.p * best.emitted)) best = x;
        }
        return best;
      };
      return {
        open(ctx) {
          if (splits.length === 0) splits = [{ s: ctx.subtaskIndex, p: ctx.parallelism, emitted: 0 }];
          now = ctx.now;
          startedAt = ctx.startTime;
        },
        pollNext(out, max) {
          const elapsed = now() - startedAt;
          for (let n = 0; n < max; n++) {
            const split = next();
            if (!split) return 'end';
            const i = split.s + split.p * split.emitted;
            const due = (i * 1000) / rate;
            if (due > elapsed) {
              waitMs = Math.max(1, Math.min(50, due - elapsed));
              return n > 0 ? 'more' : 'wait';
            }
            random.reseed(eventSeed(o.seed, i));
            out.collect(insertRow(gens.map((g) => g.value(i, random, startedAt))));
            split.emitted++;
          }
          return 'more';
        },
        available: () => new Promise((r) => setTimeout(r, waitMs)),
        snapshotState: () => ({ splits: splits.map((x) => ({ ...x })) }),
        restoreState(state) {
          splits = (state as { splits: Split[] }).splits.map((x) => ({ ...x }));
        },
        restoreStates(states) {
          splits = states.flatMap((st) => (st as { splits: Split[] }).splits.map((x) => ({ ...x })));
        },
      };
    },
  };
}

export const datagenConnector = defineConnector({
  name: 'datagen',
  description: 'random or sequence values per column, as Flink\'s datagen (source)',
  options,
  optionPatterns: FIELD_OPTIONS.map((k) => ({ display: `fields.#.${k}`, pattern: new RegExp(`^fields\\..+\\.${k.replace('-', '\\-')}$`), schema: stringOption() })),
  check(ctx: ConnectorContext<DatagenOptions>) {
    const names = new Set(ctx.table.columns.map((c) => c.name));
    for (const key of Object.keys(ctx.table.options)) {
      const m = /^fields\.(.+)\.([a-z-]+)$/.exec(key);
      if (m && !names.has(m[1]!)) {
        throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${ctx.table.name}' (connector 'datagen'): option '${key}' names no column; columns: ${[...names].join(', ')}`);
      }
    }
    for (const c of ctx.table.columns) fieldGen(ctx.table.name, c, fieldOptions(ctx.options, c.name));
  },
  source: (ctx) => {
    const o = ctx.options as DatagenOptions;
    const src = datagenSource(ctx.table.name, ctx.table.columns, o);
    return { bounded: src.bounded, changelogMode: 'insert-only', createSource: () => src };
  },
});
