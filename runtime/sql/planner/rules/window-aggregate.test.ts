import { parseStatements } from '../../parser/index.ts';
import { planQuery, type PlannedTree } from '../planner.ts';
import { explain, find, kinds, plan, testSession } from '../test-support.ts';

const SQL_HOP = "SELECT user_id, window_start, window_end, SUM(amount) AS s, COUNT(*) FILTER (WHERE amount > 10) AS big FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)) GROUP BY user_id, window_start, window_end";

function planConfigured(sql: string, config: Record<string, string>): PlannedTree {
  const [st] = parseStatements(sql);
  if (st?.kind !== 'queryStatement') throw new Error('not a query');
  return planQuery(st.query, testSession().context, { config: new Map(Object.entries(config)) });
}

describe('window aggregation', () => {
  it('turns GROUP BY window_start, window_end over a window TVF into a WindowAggregate', () => {
    const p = plan(SQL_HOP);
    expect(kinds(p.optimized)).not.toContain('Aggregate');
    expect(kinds(p.optimized)).not.toContain('WindowTableFunction');
    const w = find(p.optimized, 'WindowAggregate')!;
    // in two phases by default, printed as Flink 1.20's physical plan prints them
    expect(explain(w).split('\n').slice(0, 3)).toEqual([
      "GlobalWindowAggregate(groupBy=[user_id], window=[HOP(slice_end=[$slice_end], size=[5 min], slide=[1 min])], select=[user_id, SUM(sum$0) AS EXPR$0, COUNT(count1$1) AS EXPR$1, start('w$) AS window_start, end('w$) AS window_end])",
      '+- Exchange(distribution=[hash[user_id]])',
      "   +- LocalWindowAggregate(groupBy=[user_id], window=[HOP(time_col=[ts], size=[5 min], slide=[1 min])], select=[user_id, SUM(amount) AS sum$0, COUNT(*) FILTER $f4 AS count1$1, slice_end('w$) AS $slice_end])",
    ]);
    const one = planConfigured(SQL_HOP, { 'table.optimizer.agg-phase-strategy': 'ONE_PHASE' });
    expect(explain(find(one.optimized, 'WindowAggregate')!).split('\n')[0]).toBe("WindowAggregate(groupBy=[user_id], window=[HOP(time_col=[ts], size=[5 min], slide=[1 min])], select=[user_id, SUM(amount) AS EXPR$0, COUNT(*) FILTER $f4 AS EXPR$1, start('w$) AS window_start, end('w$) AS window_end])");
    expect(p.optimized.fields.map((f) => f.name)).toEqual(['user_id', 'window_start', 'window_end', 's', 'big']);
  });

  it('plans the legacy GROUP BY TUMBLE(...) with TUMBLE_START/TUMBLE_END', () => {
    const p = plan("SELECT user_id, TUMBLE_START(ts, INTERVAL '1' MINUTE) AS ws, COUNT(*) AS n FROM clicks GROUP BY user_id, TUMBLE(ts, INTERVAL '1' MINUTE)");
    expect(find(p.optimized, 'WindowAggregate')!.window).toMatchObject({ kind: 'TUMBLE', size: 60000 });
    expect(p.optimized.fields.map((f) => f.name)).toEqual(['user_id', 'ws', 'n']);
  });

  it('leaves a plain GROUP BY over the window columns without window_end as a group aggregate', () => {
    const p = plan("SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start");
    expect(kinds(p.optimized)).toContain('Aggregate');
  });

  // Flink's TwoStageOptimizedWindowAggregateRule: event time, TUMBLE/HOP/CUMULATE, calls that merge
  it.each([
    ['a SESSION window', "SELECT user_id, window_start, window_end, COUNT(*) FROM TABLE(SESSION(TABLE clicks PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY user_id, window_start, window_end"],
    ['processing time', "SELECT window_start, window_end, COUNT(*) FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(proc), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end"],
    ['COUNT(DISTINCT)', "SELECT window_start, window_end, COUNT(DISTINCT url) FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end"],
    ['LISTAGG (arrival order)', "SELECT window_start, window_end, LISTAGG(url) FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end"],
    ['the legacy GROUP BY TUMBLE', "SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id, TUMBLE(ts, INTERVAL '1' MINUTE)"],
  ])('keeps one phase for %s', (_what, sql) => {
    const w = find(plan(sql).optimized, 'WindowAggregate')!;
    expect(w.kind === 'WindowAggregate' && w.twoPhase).toBeUndefined();
    expect(explain(w).split('\n')[0]).toMatch(/^WindowAggregate\(/);
  });
});
