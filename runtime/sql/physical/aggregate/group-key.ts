// The key of a group (GROUP BY columns, window partition) as the runtime's keyBy needs it: a
// string or number that is equal exactly when the group values are equal. One column keeps its
// number or string (cheapest hashing); several columns, NULL and BIGINT beyond 2^53 become text.
import type { Key } from '../../../keys/key-groups.ts';
import type { ChangelogRow } from '../../../connectors/factory/row.ts';
import { valueKey } from './state-value.ts';

export function groupKeySelector(indexes: readonly number[]): (row: ChangelogRow) => Key {
  if (indexes.length === 0) return () => 0;
  if (indexes.length === 1) {
    const i = indexes[0]!;
    return (row) => {
      const v = row.values[i];
      // a column has one type, so a number never meets a string of the same text
      if (typeof v === 'number' || typeof v === 'string') return v;
      return `\u0000${valueKey([v])}`;
    };
  }
  return (row) => valueKey(indexes.map((i) => row.values[i]));
}
