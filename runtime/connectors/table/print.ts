// `'connector' = 'print'`: writes every row as Flink's print connector does, `+I[1, foo]`
// (Row#toString of the Java values), prefixed `<print-identifier>:<subtask>> ` as Flink prefixes
// (the subtask only when the sink runs with parallelism > 1), to stdout or stderr.

import { z } from 'zod';
import type { Sink } from '../../api/functions.ts';
import type { DataType, RowField } from '../../sql/types/data-type.ts';
import { defineConnector } from '../factory/connector.ts';
import { booleanOption, intOption, stringOption } from '../factory/options.ts';
import type { ChangelogRow } from '../factory/row.ts';
import { formatDate, formatJavaInstant, formatJavaLocalDateTime, formatJavaLocalTime } from '../factory/temporal.ts';

/** Java's Double#toString: `1.0`, `0.5`, `1.0E7`, `1.0E-4`. */
export function javaDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mant, exp] = n.toExponential().split('e') as [string, string];
  return `${mant.includes('.') ? mant : `${mant}.0`}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}

/** A value as Java's toString of Flink's external type shows it (what the print connector prints). */
export function javaString(type: DataType, v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (type.root) {
    case 'FLOAT': case 'DOUBLE': return javaDouble(v as number);
    case 'DATE': return formatDate(v as number);
    case 'TIME': return formatJavaLocalTime(v as number);
    case 'TIMESTAMP': return formatJavaLocalDateTime(v as number);
    case 'TIMESTAMP_LTZ': return formatJavaInstant(v as number);
    case 'BINARY': case 'VARBINARY': return `[${[...(v as Uint8Array)].map((b) => (b << 24) >> 24).join(', ')}]`;
    case 'ARRAY': return `[${(v as unknown[]).map((x) => javaString(type.element, x)).join(', ')}]`;
    case 'MULTISET': {
      // Flink's external MULTISET is a Map<element, count>: {a=2, b=1} (here in first-arrival order)
      const counts = new Map<string, number>();
      for (const x of v as unknown[]) counts.set(javaString(type.element, x), (counts.get(javaString(type.element, x)) ?? 0) + 1);
      return `{${[...counts].map(([x, n]) => `${x}=${n}`).join(', ')}}`;
    }
    case 'MAP': return `{${[...(v as Map<unknown, unknown>)].map(([k, x]) => `${javaString(type.key, k)}=${javaString(type.value, x)}`).join(', ')}}`;
    case 'ROW': return `+I[${type.fields.map((f, i) => javaString(f.type, (v as unknown[])[i])).join(', ')}]`;
    default: return String(v);
  }
}

export function formatPrintedRow(columns: readonly RowField[], row: ChangelogRow): string {
  return `${row.kind}[${columns.map((c, i) => javaString(c.type, row.values[i])).join(', ')}]`;
}

export function printTableSink(columns: readonly RowField[], identifier: string | undefined, write: (line: string) => void): Sink<ChangelogRow> {
  return {
    name: 'print',
    createWriter() {
      let prefix = identifier !== undefined ? `${identifier}> ` : '';
      return {
        open(ctx) {
          if (ctx.parallelism > 1) prefix = `${identifier !== undefined ? `${identifier}:` : ''}${ctx.subtaskIndex + 1}> `;
        },
        write(row) {
          write(prefix + formatPrintedRow(columns, row));
        },
      };
    },
  };
}

export const printConnector = defineConnector({
  name: 'print',
  description: 'prints every row with its kind, +I[...], to stdout or stderr (sink)',
  options: z.object({
    'print-identifier': stringOption().optional(),
    'standard-error': booleanOption().default(false),
    'sink.parallelism': intOption(1).optional(),
  }),
  sink: (ctx) => ({
    changelogMode: 'all',
    createSink: () => {
      const stream = ctx.options['standard-error'] ? process.stderr : process.stdout;
      return printTableSink(ctx.table.columns, ctx.options['print-identifier'], (line) => stream.write(line + '\n'));
    },
  }),
});
