import { T } from '../types/data-type.ts';
import { changelogView, materialize, TableauView, tableView } from './result-view.ts';

const fields = [{ name: 'name', type: T.string() }, { name: 'cnt', type: T.bigint() }];
const changes = [
  { kind: '+I' as const, values: ['Bob', 1] },
  { kind: '+I' as const, values: ['Alice', 1] },
  { kind: '-U' as const, values: ['Bob', 1] },
  { kind: '+U' as const, values: ['Bob', 2] },
  { kind: '+I' as const, values: [null, 3] },
];

describe('result modes of the SQL client', () => {
  test('table: the changelog applied (a retraction removes the row it names)', () => {
    expect(materialize(fields, changes)).toEqual([['Alice', '1'], ['Bob', '2'], ['<NULL>', '3']]);
    expect(tableView(fields, changes)).toBe([
      '+--------+-----+',
      '|   name | cnt |',
      '+--------+-----+',
      '|  Alice |   1 |',
      '|    Bob |   2 |',
      '| <NULL> |   3 |',
      '+--------+-----+',
      '3 rows in set',
    ].join('\n'));
    expect(tableView(fields, [])).toBe('Empty set');
  });

  test('changelog: every change with its op', () => {
    const v = changelogView(fields, changes).split('\n');
    expect(v.slice(3, 8)).toEqual(['| +I |    Bob |   1 |', '| +I |  Alice |   1 |', '| -U |    Bob |   1 |', '| +U |    Bob |   2 |', '| +I | <NULL> |   3 |']);
    expect(v.at(-1)).toBe('5 changes received');
  });

  test('tableau: fixed widths from the types (values cut at the maximum width), rows as they come, a total', () => {
    const t = new TableauView(fields, 8);
    expect(t.header().split('\n')[1]).toBe('| op |     name |                  cnt |');
    expect(t.row({ kind: '+I', values: ['a long name', 7] })).toBe('| +I | a lon... |                    7 |');
    expect(t.footer()).toBe('+----+----------+----------------------+\nReceived a total of 1 row');
    expect(new TableauView(fields).footer()).toBe('Empty set');
  });
});
