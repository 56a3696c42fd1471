import { SqlError } from '../errors.ts';
import { testSession } from './test-support.ts';
import { changelogText } from './changelog.ts';

function planError(sql: string): SqlError {
  try {
    testSession().executeScript(sql);
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error('expected a planning error');
}

function sinkMode(sql: string): string {
  const [r] = testSession().executeScript(sql);
  if (r?.kind !== 'job') throw new Error('not a job');
  const t = r.trees[0]!;
  return changelogText(t.changelog.get(t.optimized)!);
}

describe('changelog modes', () => {
  it('refuse an update stream into an append-only sink, naming the node that produced it', () => {
    const e = planError('INSERT INTO append_out SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id');
    expect(e.code).toBe('MR_ERR_SQL_PLAN');
    expect(e.message).toBe("MR_ERR_SQL_PLAN: Table sink 'default_catalog.default_database.append_out' doesn't support consuming update changes which is produced by node GroupAggregate(groupBy=[user_id], select=[user_id, COUNT(*) AS EXPR$0])");
  });

  it('let an upsert sink with a primary key and a print sink take updates; an upsert sink drops -U', () => {
    expect(sinkMode('INSERT INTO upsert_out SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id')).toBe('I,UA');
    expect(sinkMode('INSERT INTO print_out SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id')).toBe('I,UB,UA');
    expect(sinkMode('INSERT INTO append_out SELECT user_id, COUNT(*) FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL \'1\' MINUTE)) GROUP BY user_id, window_start, window_end')).toBe('I');
  });

  it('refuse updates into operators that need insert-only input', () => {
    const e = planError(`INSERT INTO print_out SELECT user_id, cnt FROM (
      SELECT user_id, SUM(cnt) OVER (PARTITION BY user_id ORDER BY t ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS cnt FROM (
        SELECT user_id, COUNT(*) AS cnt, MAX(proc) AS t FROM clicks GROUP BY user_id))`);
    expect(e.code).toBe('MR_ERR_SQL_PLAN');
  });

  it('derive deletes for outer joins and inserts only for inner joins of append streams', () => {
    expect(sinkMode('INSERT INTO print_out SELECT c.user_id, u.id FROM clicks c JOIN users u ON c.user_id = u.id')).toBe('I');
    expect(sinkMode('INSERT INTO print_out SELECT c.user_id, u.id FROM clicks c LEFT JOIN users u ON c.user_id = u.id')).toBe('I,UB,UA,D');
  });
});
