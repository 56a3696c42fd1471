// GroupAggregate on the operator harness: the changelog it emits for inserts and retractions,
// and its state through a snapshot (JSON) and a restore into a new operator.
import { KeyedProcessOperator } from '../../../operators/process-operators.ts';
import { OperatorHarness } from '../../../testing/operator-harness.ts';
import type { ChangelogRow, RowKind } from '../../../connectors/factory/row.ts';
import type { KeySelector } from '../../../api/functions.ts';
import { T } from '../../types/data-type.ts';
import { createAggsHandle } from './aggs-handle.ts';
import { GroupAggregateFunction } from './group-aggregate.ts';
import { groupKeySelector } from './group-key.ts';

// input (k STRING, v BIGINT); SELECT k, COUNT(*), SUM(v), MAX(v) GROUP BY k
const handle = createAggsHandle([
  { fn: 'COUNT', args: [], distinct: false, name: 'n', type: T.bigint(false) },
  { fn: 'SUM', args: [1], distinct: false, name: 's', type: T.bigint() },
  { fn: 'MAX', args: [1], distinct: false, name: 'm', type: T.bigint() },
], [{ name: 'k', type: T.varchar(10) }, { name: 'v', type: T.bigint() }]);

const maxOnly = createAggsHandle([{ fn: 'MAX', args: [1], distinct: false, name: 'm', type: T.bigint() }], [{ name: 'k', type: T.varchar(10) }, { name: 'v', type: T.bigint() }]);
const operator = (ttlMs = 0) => new KeyedProcessOperator(new GroupAggregateFunction([0], handle, { stateTtlMs: ttlMs }) as never, groupKeySelector([0]) as KeySelector<unknown>);
const row = (kind: RowKind, ...values: unknown[]): ChangelogRow => ({ kind, values });
const printed = (h: OperatorHarness): string[] => h.values().map((r) => `${(r as ChangelogRow).kind}${JSON.stringify((r as ChangelogRow).values)}`);

describe('GroupAggregate changelog', () => {
  test('+I for a new group, -U/+U on change, nothing when unchanged, -D when the last row is retracted', async () => {
    const h = await new OperatorHarness(operator()).open();
    h.processElement(row('+I', 'x', 10));
    h.processElement(row('+I', 'y', 1));
    h.processElement(row('+I', 'x', 5));
    h.processElement(row('-U', 'x', 5)); // the result goes back to what it was
    h.processElement(row('-D', 'y', 1));
    h.processElement(row('-D', 'z', 1)); // nothing to take back from: ignored
    expect(printed(h)).toEqual([
      '+I["x",1,10,10]', '+I["y",1,1,1]',
      '-U["x",1,10,10]', '+U["x",2,15,10]',
      '-U["x",2,15,10]', '+U["x",1,10,10]',
      '-D["y",1,1,1]',
    ]);
  });

  test('an unchanged result is not emitted (MAX of a smaller value with COUNT left out)', async () => {
    const h = await new OperatorHarness(new KeyedProcessOperator(new GroupAggregateFunction([0], maxOnly) as never, groupKeySelector([0]) as KeySelector<unknown>)).open();
    h.processElement(row('+I', 'x', 10)).processElement(row('+I', 'x', 3)).processElement(row('+I', 'x', 12));
    expect(printed(h)).toEqual(['+I["x",10]', '-U["x",10]', '+U["x",12]']);
  });

  test('the groups survive a snapshot and a restore into a new operator', async () => {
    const a = await new OperatorHarness(operator()).open();
    a.processElement(row('+I', 'x', 10)).processElement(row('+I', 'x', 7));
    const snap = a.snapshot();
    const b = await new OperatorHarness(operator()).open([snap]);
    b.processElement(row('-U', 'x', 10)).processElement(row('+I', 'x', 1));
    expect(printed(b)).toEqual(['-U["x",2,17,10]', '+U["x",1,7,7]', '-U["x",1,7,7]', '+U["x",2,8,7]']);
  });

  test('with table.exec.state.ttl an unchanged result is still emitted (downstream state is refreshed)', async () => {
    const h = await new OperatorHarness(new KeyedProcessOperator(new GroupAggregateFunction([0], maxOnly, { stateTtlMs: 60_000 }) as never, groupKeySelector([0]) as KeySelector<unknown>)).open();
    h.processElement(row('+I', 'x', 10)).processElement(row('+I', 'x', 3));
    expect(printed(h)).toEqual(['+I["x",10]', '-U["x",10]', '+U["x",10]']);
  });

  test('with table.exec.state.ttl a group idle longer than the TTL is forgotten: its next row starts it anew (+I)', async () => {
    const h = await new OperatorHarness(operator(1000)).open();
    h.processElement(row('+I', 'x', 10));
    h.setProcessingTime(500);
    h.processElement(row('+I', 'x', 1)); // written at 500: lives until 1500
    h.setProcessingTime(1499);
    h.processElement(row('+I', 'x', 2));
    h.setProcessingTime(2600);
    h.processElement(row('-U', 'x', 2)); // expired: nothing to take back from
    h.processElement(row('+I', 'x', 4));
    expect(printed(h)).toEqual(['+I["x",1,10,10]', '-U["x",1,10,10]', '+U["x",2,11,10]', '-U["x",2,11,10]', '+U["x",3,13,10]', '+I["x",1,4,4]']);
  });
});
