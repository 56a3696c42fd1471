// Shared by the planner's tests: a session with a few tables, and plan helpers.
import { SqlSession } from '../session/sql-session.ts';
import type { LogicalNode } from './logical-plan.ts';
import { inputsOf } from './logical-plan.ts';
import type { PlannedTree } from './planner.ts';
import { planQuery } from './planner.ts';
import { explainPlan } from './explain.ts';
import { parseStatements } from '../parser/index.ts';
import type { Rule } from './rules/index.ts';

export const TEST_TABLES = `
CREATE TABLE clicks (
  user_id BIGINT,
  url STRING,
  amount DECIMAL(10, 2),
  tags ARRAY<STRING>,
  ts TIMESTAMP(3),
  proc AS PROCTIME(),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'datagen');
CREATE TABLE users (
  id BIGINT,
  name STRING,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts,
  PRIMARY KEY (id) NOT ENFORCED
) WITH ('connector' = 'datagen');
CREATE TABLE plain (a INT, b STRING, c BIGINT) WITH ('connector' = 'datagen');
CREATE TABLE append_out (user_id BIGINT, cnt BIGINT) WITH ('connector' = 'filesystem', 'path' = '/tmp/out', 'format' = 'csv');
CREATE TABLE upsert_out (user_id BIGINT, cnt BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH ('connector' = 'upsert-kafka');
CREATE TABLE print_out (user_id BIGINT, cnt BIGINT) WITH ('connector' = 'print');
`;

export function testSession(): SqlSession {
  const s = new SqlSession();
  s.executeScript(TEST_TABLES);
  return s;
}

export function plan(sql: string, session = testSession()): PlannedTree {
  const [st] = parseStatements(sql);
  if (st?.kind !== 'queryStatement') throw new Error('not a query');
  return planQuery(st.query, session.context);
}

/** Plans with only the given rules (to test one rule at a time). */
export function planWith(sql: string, rules: readonly Rule[], session = testSession()): PlannedTree {
  const [st] = parseStatements(sql);
  if (st?.kind !== 'queryStatement') throw new Error('not a query');
  return planQuery(st.query, session.context, { rules });
}

export function explain(node: LogicalNode): string {
  return explainPlan(node);
}

/** Node kinds in pre-order, for asserting a plan's shape. */
export function kinds(node: LogicalNode): string[] {
  return [node.kind, ...inputsOf(node).flatMap(kinds)];
}

export function find<K extends LogicalNode['kind']>(node: LogicalNode, kind: K): Extract<LogicalNode, { kind: K }> | undefined {
  if (node.kind === kind) return node as Extract<LogicalNode, { kind: K }>;
  for (const c of inputsOf(node)) {
    const hit = find(c, kind);
    if (hit !== undefined) return hit;
  }
  return undefined;
}
