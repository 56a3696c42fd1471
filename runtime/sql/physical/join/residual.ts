// The non-equi part of a join condition, compiled once: a predicate over the joined row (left
// columns, then right columns); undefined when every conjunct is an equi-key.
import { compileFilter } from '../../codegen/expression-codegen.ts';
import type { Rex } from '../../planner/rex.ts';
import { and } from '../../planner/rex.ts';
import { T } from '../../types/data-type.ts';

export function residualOf(parts: readonly Rex[]): ((joined: readonly unknown[]) => boolean) | undefined {
  const condition = and([...parts], T.boolean());
  return condition === undefined ? undefined : compileFilter(condition);
}
