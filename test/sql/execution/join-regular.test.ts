// Regular joins: the changelog Flink's StreamingJoinOperator emits (null-padded outer rows that
// are retracted when a match arrives and come back when the last match leaves), semi/anti joins,
// NULL keys, the residual condition, state through a snapshot and restore, state TTL; and SQL
// INNER/LEFT/RIGHT/FULL joins whose results equal a nested-loop join computed here.
import { KeyedCoProcessOperator } from '../../../runtime/operators/process-operators.ts';
import type { ChangelogRow, RowKind } from '../../../runtime/connectors/factory/row.ts';
import type { OperatorSnapshot } from '../../../runtime/state/state-file-format.ts';
import { OperatorHarness } from '../../../runtime/testing/operator-harness.ts';
import { RegularJoinFunction, type RegularJoinSpec } from '../../../runtime/sql/physical/join/regular-join.ts';
import { applied, jsonTable, random, sinkChangelog, sortedRows } from './join-test-tables.ts';

const row = (kind: RowKind, ...values: unknown[]): ChangelogRow => ({ kind, values });
const text = (rows: unknown[]): string[] => (rows as ChangelogRow[]).map((r) => `${r.kind}${JSON.stringify(r.values, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`);

async function harness(spec: Partial<RegularJoinSpec> & Pick<RegularJoinSpec, 'joinType'>, restored: OperatorSnapshot[] = []): Promise<OperatorHarness> {
  const fn = new RegularJoinFunction({ leftKeys: [0], rightKeys: [0], leftWidth: 2, rightWidth: 2, ...spec });
  const key = (r: unknown) => (r as ChangelogRow).values[0] as number;
  return new OperatorHarness(new KeyedCoProcessOperator(fn as never, key, key)).open(restored);
}

describe('regular join changelog (operator)', () => {
  test('LEFT JOIN: a padded row until the first match, retracted then, back when the last match leaves', async () => {
    const h = await harness({ joinType: 'LEFT' });
    h.processElement(row('+I', 1, 'a'));
    h.processElement2(row('+I', 1, 'x'));
    h.processElement2(row('+I', 1, 'y'));
    h.processElement(row('+I', 1, 'b'));
    h.processElement2(row('-D', 1, 'x'));
    h.processElement2(row('-D', 1, 'y'));
    h.processElement(row('-D', 1, 'a'));
    expect(text(h.values())).toEqual([
      '+I[1,"a",null,null]',
      '-D[1,"a",null,null]', '+I[1,"a",1,"x"]',
      '+I[1,"a",1,"y"]',
      '+I[1,"b",1,"x"]', '+I[1,"b",1,"y"]',
      '-D[1,"a",1,"x"]', '-D[1,"b",1,"x"]',
      '-D[1,"a",1,"y"]', '+I[1,"a",null,null]', '-D[1,"b",1,"y"]', '+I[1,"b",null,null]',
      '-D[1,"a",null,null]',
    ]);
  });

  test('FULL JOIN: rows with a NULL key match nothing and stay padded on both sides', async () => {
    const h = await harness({ joinType: 'FULL' });
    h.processElement(row('+I', null, 'a'));
    h.processElement2(row('+I', null, 'x'));
    h.processElement2(row('+I', 2, 'y'));
    h.processElement(row('+I', 2, 'b'));
    expect(text(h.values())).toEqual(['+I[null,"a",null,null]', '+I[null,null,null,"x"]', '+I[null,null,2,"y"]', '-D[null,null,2,"y"]', '+I[2,"b",2,"y"]']);
  });

  test('the residual condition decides which rows of a key match', async () => {
    // ON l.k = r.k AND l.v < r.w
    const h = await harness({ joinType: 'INNER', residual: (j) => (j[1] as number) < (j[3] as number) });
    h.processElement(row('+I', 1, 5));
    h.processElement2(row('+I', 1, 3));
    h.processElement2(row('+I', 1, 9));
    h.processElement(row('+I', 1, 4));
    expect(text(h.values())).toEqual(['+I[1,5,1,9]', '+I[1,4,1,9]']);
  });

  test('INNER JOIN forwards the input\'s -U/+U kinds; an outer side turns them into -D/+I', async () => {
    const inner = await harness({ joinType: 'INNER' });
    const left = await harness({ joinType: 'LEFT' });
    for (const h of [inner, left]) {
      h.processElement(row('+I', 1, 'a'));
      h.processElement2(row('+I', 1, 'x'));
      h.processElement2(row('-U', 1, 'x'));
      h.processElement2(row('+U', 1, 'z'));
    }
    expect(text(inner.values())).toEqual(['+I[1,"a",1,"x"]', '-U[1,"a",1,"x"]', '+U[1,"a",1,"z"]']);
    expect(text(left.values())).toEqual(['+I[1,"a",null,null]', '-D[1,"a",null,null]', '+I[1,"a",1,"x"]', '-U[1,"a",1,"x"]', '+I[1,"a",null,null]', '-D[1,"a",null,null]', '+I[1,"a",1,"z"]']);
  });

  test('SEMI emits a left row while it has a match, ANTI while it has none', async () => {
    for (const [joinType, expected] of [
      ['SEMI', ['+I[1,"a"]', '-D[1,"a"]']],
      ['ANTI', ['+I[1,"a"]', '-D[1,"a"]', '+I[1,"a"]']],
    ] as const) {
      const h = await harness({ joinType });
      h.processElement(row('+I', 1, 'a'));
      h.processElement2(row('+I', 1, 'x'));
      h.processElement2(row('+I', 1, 'y'));
      h.processElement2(row('-D', 1, 'x'));
      h.processElement2(row('-D', 1, 'y'));
      expect(text(h.values())).toEqual(expected);
    }
  });

  test('both sides survive a snapshot and restore (JSON, BIGINT beyond 2^53 included)', async () => {
    const h = await harness({ joinType: 'INNER' });
    h.processElement(row('+I', 7, 9007199254740993n));
    const snapshot = h.snapshot();
    const restored = await harness({ joinType: 'INNER' }, [snapshot]);
    restored.processElement2(row('+I', 7, 'r'));
    expect(text(restored.values())).toEqual(['+I[7,"9007199254740993n",7,"r"]']);
  });

  test('insert-only sides keep append lists: equal rows join as often as they came, across a snapshot, with older map state read', async () => {
    const appendOnly = { joinType: 'INNER' as const, leftInsertOnly: true, rightInsertOnly: true };
    // a savepoint of the map form (before insert-only sides had lists) holds left row [1, "old"]
    const before = await harness({ joinType: 'INNER' });
    before.processElement(row('+I', 1, 'old'));
    const h = await harness(appendOnly, [before.snapshot()]);
    h.processElement(row('+I', 1, 'a'));
    h.processElement(row('+I', 1, 'a'));
    h.processElement2(row('+I', 1, 'x'));
    const restored = await harness(appendOnly, [h.snapshot()]);
    restored.processElement(row('+I', 1, 'b'));
    restored.processElement2(row('+I', 2, 'y'));
    restored.processElement2(row('+I', 1, 'z'));
    expect(text(h.values())).toEqual(['+I[1,"old",1,"x"]', '+I[1,"a",1,"x"]', '+I[1,"a",1,"x"]']);
    expect(text(restored.values())).toEqual(['+I[1,"b",1,"x"]', '+I[1,"old",1,"z"]', '+I[1,"a",1,"z"]', '+I[1,"a",1,"z"]', '+I[1,"b",1,"z"]']);
  });

  test('table.exec.state.ttl: a row whose state expired no longer joins, a fresh one does', async () => {
    const fn = new RegularJoinFunction({ joinType: 'INNER', leftKeys: [0], rightKeys: [0], leftWidth: 2, rightWidth: 2, stateTtlMs: 1000 });
    const key = (r: unknown) => (r as ChangelogRow).values[0] as number;
    const h = await new OperatorHarness(new KeyedCoProcessOperator(fn as never, key, key)).open();
    h.setProcessingTime(0);
    h.processElement(row('+I', 1, 'old'));
    h.setProcessingTime(900);
    h.processElement(row('+I', 2, 'young'));
    h.setProcessingTime(1500);
    h.processElement2(row('+I', 1, 'x'));
    h.processElement2(row('+I', 2, 'y'));
    // a retraction is joined with the other side's state whether its own row is still there or not, as in
    // Flink's StreamingJoinOperator (so with TTL, -D rows may retract joins that were never emitted)
    h.processElement(row('-D', 2, 'young'));
    h.processElement(row('-D', 1, 'old'));
    expect(text(h.values())).toEqual(['+I[2,"young",2,"y"]', '-D[2,"young",2,"y"]', '-D[1,"old",1,"x"]']);
  });
});

describe('SQL regular joins equal a nested-loop join', () => {
  const next = random(11);
  const pick = (): number | null => (next() < 0.15 ? null : 1 + Math.floor(next() * 5));
  const L = Array.from({ length: 40 }, (_, i) => ({ id: i, k: pick(), v: Math.floor(next() * 10) }));
  const R = Array.from({ length: 40 }, (_, i) => ({ id: 100 + i, k: pick(), w: Math.floor(next() * 10) }));
  const ddl = `${jsonTable('l', 'id INT, k INT, v INT', L)}; ${jsonTable('r', 'id INT, k INT, w INT', R)};
    CREATE TABLE out (lid INT, v INT, rid INT, w INT) WITH ('connector' = 'blackhole');`;

  function expected(type: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL'): string[] {
    const out: unknown[][] = [];
    const matchedR = new Set<number>();
    for (const l of L) {
      let matched = false;
      for (const r of R) {
        if (l.k !== null && r.k !== null && l.k === r.k && l.v < r.w) {
          out.push([l.id, l.v, r.id, r.w]);
          matched = true;
          matchedR.add(r.id);
        }
      }
      if (!matched && (type === 'LEFT' || type === 'FULL')) out.push([l.id, l.v, null, null]);
    }
    if (type === 'RIGHT' || type === 'FULL') for (const r of R) if (!matchedR.has(r.id)) out.push([null, null, r.id, r.w]);
    return sortedRows(out);
  }

  test.each(['INNER', 'LEFT', 'RIGHT', 'FULL'] as const)('%s JOIN ... ON l.k = r.k AND l.v < r.w', async (type) => {
    const changelog = await sinkChangelog(`${ddl} INSERT INTO out SELECT l.id, l.v, r.id, r.w FROM l ${type} JOIN r ON l.k = r.k AND l.v < r.w`, 'out');
    expect(applied(changelog)).toEqual(expected(type));
    if (type === 'INNER') expect(changelog.every((r) => r.kind === '+I')).toBe(true);
  });
});
