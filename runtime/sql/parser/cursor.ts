// The token cursor the statement, query, expression and type parsers share: look-ahead,
// keyword and operator matching, identifiers, and errors that say what was expected and what
// was found, where ("line 3, column 14: expected ')' but found 'FROM'").
import { SqlError } from '../errors.ts';
import type { Pos } from './ast.ts';
import type { Token } from './lexer.ts';
import { isClauseKeyword, isReserved } from './keywords.ts';

export class Cursor {
  readonly source: string;
  private readonly tokens: Token[];
  private index = 0;

  constructor(source: string, tokens: Token[]) {
    this.source = source;
    this.tokens = tokens;
  }

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return t;
  }

  /** The token before the current one (for the end offset of a construct). */
  previous(): Token {
    return this.tokens[Math.max(0, this.index - 1)]!;
  }

  get mark(): number {
    return this.index;
  }

  reset(mark: number): void {
    this.index = mark;
  }

  pos(token: Token = this.peek()): Pos {
    return { line: token.line, column: token.column };
  }

  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  /** True when the token at `ahead` is the unquoted word `word` (keywords are case-insensitive). */
  isWord(word: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'word' && t.upper === word;
  }

  isAnyWord(words: readonly string[], ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'word' && words.includes(t.upper);
  }

  /** Matches a sequence of keywords (`GROUP`, `BY`) and consumes it. */
  acceptWords(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!this.isWord(words[k]!, k)) return false;
    for (let k = 0; k < words.length; k++) this.next();
    return true;
  }

  expectWords(...words: string[]): Token {
    const first = this.peek();
    for (let k = 0; k < words.length; k++) {
      if (!this.isWord(words[k]!)) this.fail(`'${words.slice(k).join(' ')}'`);
      this.next();
    }
    return first;
  }

  isOp(op: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'op' && t.value === op;
  }

  acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.next();
    return true;
  }

  expectOp(op: string): Token {
    if (!this.isOp(op)) this.fail(`'${op}'`);
    return this.next();
  }

  /** An identifier can be a backquoted name or any word that is not a reserved keyword. */
  isIdentifier(ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'quoted' || (t.kind === 'word' && !isReserved(t.upper));
  }

  identifier(what = 'an identifier'): string {
    const t = this.peek();
    if (!this.isIdentifier()) {
      if (t.kind === 'word' && !isClauseKeyword(t.upper)) this.fail(what, ` ('${t.text}' is a reserved keyword: quote it as \`${t.text}\` to use it as a name)`);
      this.fail(what);
    }
    this.next();
    return t.value;
  }

  /** `a.b.c`; each part an identifier. */
  compoundIdentifier(what = 'a name'): string[] {
    const parts = [this.identifier(what)];
    while (this.isOp('.') && this.isIdentifier(1)) {
      this.next();
      parts.push(this.identifier(what));
    }
    return parts;
  }

  string(what = 'a string literal'): string {
    const t = this.peek();
    if (t.kind !== 'string') this.fail(what);
    this.next();
    return t.value;
  }

  /** A non-negative integer literal (type lengths, precisions). */
  integer(what = 'an integer'): number {
    const t = this.peek();
    if (t.kind !== 'number' || !/^\d+$/.test(t.value)) this.fail(what);
    this.next();
    return Number(t.value);
  }

  /** Throws MR_ERR_SQL_PARSE at the current token: "expected <what> but found '<token>'". */
  fail(expected: string, hint = ''): never {
    const t = this.peek();
    throw new SqlError('MR_ERR_SQL_PARSE', `expected ${expected} but found ${describeToken(t)}${hint}`, this.pos(t));
  }

  /** Throws MR_ERR_SQL_PARSE at a given position with a free message. */
  failAt(pos: Pos, message: string): never {
    throw new SqlError('MR_ERR_SQL_PARSE', message, pos);
  }
}

export function describeToken(t: Token): string {
  if (t.kind === 'eof') return 'the end of the input';
  const text = t.text.length > 40 ? `${t.text.slice(0, 37)}...` : t.text;
  return `'${text}'`;
}
