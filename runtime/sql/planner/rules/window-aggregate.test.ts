import { explain, find, kinds, plan } from '../test-support.ts';

describe('window aggregation', () => {
  it('turns GROUP BY window_start, window_end over a window TVF into a WindowAggregate', () => {
    const p = plan("SELECT user_id, window_start, window_end, SUM(amount) AS s, COUNT(*) FILTER (WHERE amount > 10) AS big FROM TABLE(HOP(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)) GROUP BY user_id, window_start, window_end");
    expect(kinds(p.optimized)).not.toContain('Aggregate');
    expect(kinds(p.optimized)).not.toContain('WindowTableFunction');
    const w = find(p.optimized, 'WindowAggregate')!;
    expect(explain(w).split('\n')[0]).toBe("WindowAggregate(groupBy=[user_id], window=[HOP(time_col=[ts], size=[5 min], slide=[1 min])], select=[user_id, SUM(amount) AS EXPR$0, COUNT(*) FILTER $f4 AS EXPR$1, start('w$) AS window_start, end('w$) AS window_end])");
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
});
