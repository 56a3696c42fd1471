// The Flink SQL parser: text → typed, positioned syntax tree (ast.ts).
// Entry points: parseScript (statements with their text), parseStatements, parseExpression.
import { Cursor } from './cursor.ts';
import type { Expr } from './ast.ts';
import { parseExpr } from './expression-parser.ts';
import { tokenize } from './lexer.ts';

export { parseScript, parseStatements } from './statement-parser.ts';
export type { ParsedStatement } from './statement-parser.ts';
export type * from './ast.ts';

/** Parses one expression (for computed columns given apart, tests and tools). */
export function parseExpression(source: string): Expr {
  const c = new Cursor(source, tokenize(source));
  const e = parseExpr(c);
  if (!c.atEnd()) c.fail('the end of the expression');
  return e;
}
