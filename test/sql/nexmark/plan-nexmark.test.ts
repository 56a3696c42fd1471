// Every Nexmark query, unchanged, goes through validation and planning on top of the Nexmark
// DDL and views. The plan of each is kept as text beside the queries (plans/qN.plan, the
// optimized plan with changelog modes, as EXPLAIN CHANGELOG_MODE prints it) so that a change in
// planning shows as a readable difference. Regenerate after an intended change with
// MILLRACE_UPDATE_PLANS=1 npm test -- test/sql/nexmark/plan-nexmark.test.ts
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqlError } from '../../../runtime/sql/errors.ts';
import type { LogicalNode } from '../../../runtime/sql/planner/logical-plan.ts';
import { inputsOf } from '../../../runtime/sql/planner/logical-plan.ts';
import { changelogText } from '../../../runtime/sql/planner/changelog.ts';
import { explainTrees } from '../../../runtime/sql/planner/planner.ts';
import type { PlannedTree } from '../../../runtime/sql/planner/planner.ts';
import { SqlSession } from '../../../runtime/sql/session/sql-session.ts';
import { nexmarkQueryNames, readNexmarkFile } from './nexmark-queries.ts';

const PLANS = join(dirname(fileURLToPath(import.meta.url)), 'plans');

function planNexmark(q: string): PlannedTree {
  const s = new SqlSession();
  s.executeScript(readNexmarkFile('ddl_gen.sql'));
  s.executeScript(readNexmarkFile('ddl_views.sql'));
  const results = s.executeScript(readNexmarkFile(`${q}.sql`));
  const job = results.find((r) => r.kind === 'job');
  if (job?.kind !== 'job') throw new Error(`${q} has no INSERT`);
  return job.trees[0]!;
}

const kinds = (n: LogicalNode): string[] => [n.kind === 'Join' ? `Join:${n.variant.kind}` : n.kind, ...inputsOf(n).flatMap(kinds)];

/** What Flink's plan of each query holds, and the changelog its sink receives. */
const EXPECTED: Record<string, { has: string[]; lacks?: string[]; sink: string }> = {
  q0: { has: ['Sink', 'Project', 'TableScan'], lacks: ['Aggregate', 'Join:regular'], sink: 'I' },
  q1: { has: ['Project'], lacks: ['Aggregate'], sink: 'I' },
  q2: { has: ['Filter'], sink: 'I' },
  q3: { has: ['Join:regular'], sink: 'I' },
  q4: { has: ['Join:regular', 'Aggregate'], sink: 'I,UB,UA,D' },
  q5: { has: ['WindowAggregate', 'Join:regular', 'Aggregate'], sink: 'I,UB,UA,D' },
  q7: { has: ['WindowAggregate', 'Join:regular'], sink: 'I' },
  q8: { has: ['WindowAggregate', 'Join:window'], lacks: ['Aggregate', 'Join:regular'], sink: 'I' },
  q9: { has: ['Join:regular', 'Rank'], sink: 'I,UB,UA,D' },
  q10: { has: ['Project'], lacks: ['Aggregate'], sink: 'I' },
  q11: { has: ['WindowAggregate'], lacks: ['Aggregate'], sink: 'I' },
  q12: { has: ['WindowAggregate'], lacks: ['Aggregate'], sink: 'I' },
  q13: { has: ['Join:lookup'], sink: 'I' },
  q15: { has: ['Aggregate'], sink: 'I,UB,UA' },
  q16: { has: ['Aggregate'], sink: 'I,UB,UA' },
  q17: { has: ['Aggregate'], sink: 'I,UB,UA' },
  q18: { has: ['Deduplicate'], lacks: ['Over', 'Rank'], sink: 'I,UB,UA' },
  q19: { has: ['Rank'], lacks: ['Over'], sink: 'I,UB,UA,D' },
  q20: { has: ['Join:regular'], sink: 'I' },
  q21: { has: ['Filter'], sink: 'I' },
  q22: { has: ['Project'], sink: 'I' },
  q23: { has: ['Join:regular'], sink: 'I' },
};

describe('Nexmark queries plan as Flink plans them', () => {
  it('covers every shipped query', () => {
    expect(new Set([...Object.keys(EXPECTED), 'q6', 'q14'])).toEqual(new Set(nexmarkQueryNames()));
  });

  it.each(Object.keys(EXPECTED))('%s', (q) => {
    const tree = planNexmark(q);
    const k = kinds(tree.optimized);
    const want = EXPECTED[q]!;
    for (const h of want.has) expect(k).toContain(h);
    for (const l of want.lacks ?? []) expect(k).not.toContain(l);
    expect(changelogText(tree.changelog.get(tree.optimized)!)).toBe(want.sink);
    const text = explainTrees([tree], ['CHANGELOG_MODE']);
    const file = join(PLANS, `${q}.plan`);
    if (process.env['MILLRACE_UPDATE_PLANS'] === '1') {
      mkdirSync(PLANS, { recursive: true });
      writeFileSync(file, text);
    }
    if (!existsSync(file)) throw new Error(`${file} is missing: run with MILLRACE_UPDATE_PLANS=1 to write it`);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });

  it('q6 is refused as Flink refuses it: rownum is not visible in the WHERE of its own SELECT', () => {
    let e: unknown;
    try { planNexmark('q6'); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(SqlError);
    expect((e as SqlError).message).toBe("MR_ERR_SQL_VALIDATE: line 29, column 11: Column 'rownum' not found in any table");
  });

  it('q14 is refused until its Java UDF count_char has a TypeScript port registered with LANGUAGE JAVASCRIPT', () => {
    let e: unknown;
    try { planNexmark('q14'); } catch (x) { e = x; }
    expect((e as SqlError).code).toBe('MR_ERR_SQL_UNSUPPORTED');
    expect((e as SqlError).message).toContain("function 'count_char' is a JAVA function (com.github.nexmark.flink.udf.CountChar)");
  });
});
