// Writes a generated table (nexmark, datagen) to a JSON-lines file in Flink's json format, by
// pulling the connector's source reader directly (one subtask, no job): the events both engines
// of sql:compare read.

import { closeSync, openSync, writeSync } from 'node:fs';
import type { ConnectorRegistry, TableDescriptor } from '../../../runtime/connectors/factory/index.ts';

/** Event time of row 0 of a datagen table, and "now" for its random timestamps. */
export const MATERIALIZE_START_MS = Date.UTC(2025, 0, 1);

export async function materializeTable(registry: ConnectorRegistry, table: TableDescriptor, file: string): Promise<number> {
  const source = registry.createSource(table);
  if (!source.bounded) throw new Error(`MR_ERR_ORACLE_INPUT: table '${table.name}' is unbounded; give it a number of rows (events.num, number-of-rows)`);
  const reader = source.createSource().createReader();
  // the clock is far ahead so that rate limits never hold the reader
  await reader.open?.({ subtaskIndex: 0, parallelism: 1, attempt: 0, startTime: MATERIALIZE_START_MS, now: () => Number.MAX_SAFE_INTEGER / 2 });
  const encoder = registry.resolveFormat(table.name, table.columns, 'json').createEncoder();
  const fd = openSync(file, 'w');
  let rows = 0;
  try {
    let lines: string[] = [];
    const out = { collect: (row: { values: readonly unknown[] }) => { lines.push(encoder.encode(row.values)); } };
    for (;;) {
      const status = reader.pollNext(out, 10_000);
      if (lines.length > 0) {
        writeSync(fd, lines.join('\n') + '\n');
        rows += lines.length;
        lines = [];
      }
      if (status === 'end') break;
      if (status === 'wait') await reader.available?.();
    }
  } finally {
    closeSync(fd);
    await reader.close?.();
  }
  return rows;
}
