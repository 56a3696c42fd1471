import type { LogicalNode } from './logical-plan.ts';
import { operatorUids } from './operator-uids.ts';
import { testSession } from './test-support.ts';

function uids(sql: string): Map<string, string> {
  const results = testSession().executeScript(sql);
  const job = results.find((r) => r.kind === 'job');
  if (job?.kind !== 'job') throw new Error('no job');
  const map = operatorUids(job.trees.map((t) => t.optimized));
  const byKind = new Map<string, string>();
  for (const [node, uid] of map) byKind.set(`${(node as LogicalNode).kind}#${[...byKind.keys()].filter((k) => k.startsWith(node.kind)).length}`, uid);
  return byKind;
}

describe('plan-derived operator uids', () => {
  it('name the stateful nodes only, with their kind', () => {
    const u = uids('INSERT INTO print_out SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id');
    expect([...u.keys()].sort()).toEqual(['Aggregate#0', 'Sink#0', 'TableScan#0']);
    expect(u.get('Aggregate#0')).toMatch(/^aggregate-[0-9a-f]{16}$/);
    expect(u.get('TableScan#0')).toMatch(/^table-scan-[0-9a-f]{16}$/);
  });

  it('stay the same when only aliases change, and change with the grouping', () => {
    const a = uids('INSERT INTO print_out SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id');
    const b = uids('INSERT INTO print_out SELECT c.user_id AS uid, COUNT(*) AS total FROM clicks AS c GROUP BY c.user_id');
    const c = uids('INSERT INTO print_out SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id, url');
    expect(b.get('Aggregate#0')).toBe(a.get('Aggregate#0'));
    expect(c.get('Aggregate#0')).not.toBe(a.get('Aggregate#0'));
    expect(c.get('TableScan#0')).toBe(a.get('TableScan#0'));
  });

  it('tell apart identical operators of one statement set', () => {
    const u = uids(`EXECUTE STATEMENT SET BEGIN
      INSERT INTO print_out SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;
      INSERT INTO print_out SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;
    END`);
    const values = [...u.values()];
    expect(new Set(values).size).toBe(values.length);
  });
});
