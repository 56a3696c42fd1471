// Walks an expression tree (not into subqueries): used to find aggregate and OVER calls.
import type { Expr } from '../parser/ast.ts';

export function childrenOf(e: Expr): Expr[] {
  switch (e.kind) {
    case 'unary': return [e.operand];
    case 'binary': return [e.left, e.right];
    case 'is': return [e.operand];
    case 'isDistinctFrom': return [e.left, e.right];
    case 'between': return [e.operand, e.low, e.high];
    case 'in': return [e.operand, ...e.list];
    case 'inQuery': return [e.operand];
    case 'like': return e.escape ? [e.operand, e.pattern, e.escape] : [e.operand, e.pattern];
    case 'case': return [...(e.operand ? [e.operand] : []), ...e.whens.flatMap((w) => [w.when, w.then]), ...(e.else ? [e.else] : [])];
    case 'cast': return [e.operand];
    case 'call': return [...e.args, ...(e.filter ? [e.filter] : [])];
    case 'extract': return [e.operand];
    case 'namedArg': return [e.value];
    case 'array': return e.elements;
    case 'map': return e.entries.flatMap((x) => [x.key, x.value]);
    case 'row': return e.fields;
    case 'item': return [e.target, e.index];
    case 'field': return [e.target];
    default: return [];
  }
}

/** Pre-order search; `stop` nodes are reported and not descended into. */
export function findAll(e: Expr, stop: (e: Expr) => boolean, out: Expr[] = []): Expr[] {
  if (stop(e)) {
    out.push(e);
    return out;
  }
  for (const c of childrenOf(e)) findAll(c, stop, out);
  return out;
}
