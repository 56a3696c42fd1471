// Turns Flink SQL text into tokens with their line and column. Words are not classified as
// keywords here: whether `value` or `dateTime` is a keyword depends on where it stands, which
// the parser knows (Flink's Calcite grammar has the same split into reserved and non-reserved).
import { SqlError } from '../errors.ts';

export type TokenKind =
  /** An unquoted word: keyword or identifier; `upper` holds it in upper case. */
  | 'word'
  /** A backquoted identifier; `value` holds it without quotes, `` `` `` unescaped. */
  | 'quoted'
  /** A character string literal '...'; `value` holds it with '' unescaped. */
  | 'string'
  /** A binary string literal X'0A1B'; `value` holds the hex digits. */
  | 'binary'
  /** A number: 12, 1.5, .5, 1e3; `value` holds the text. */
  | 'number'
  /** Punctuation and operators. */
  | 'op'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** The text as written (quotes included). */
  text: string;
  value: string;
  upper: string;
  line: number;
  column: number;
  /** Offsets in the source, end exclusive. */
  start: number;
  end: number;
  /** A hint comment `/*+ ... *\/` right after this token: its text and where the text starts. */
  hint?: { text: string; line: number; column: number };
}

const OPERATORS = ['<>', '<=', '>=', '!=', '||', '=>', '(', ')', ',', ';', '.', '*', '+', '-', '/', '%', '=', '<', '>', '[', ']', ':', '?', '{', '}'];

const isIdentStart = (c: string): boolean => /[A-Za-z_\u0080-\uffff]/.test(c);
const isIdentPart = (c: string): boolean => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = source.length;

  const fail = (message: string, at: number): never => {
    throw new SqlError('MR_ERR_SQL_PARSE', message, positionAt(source, at));
  };
  // Advances over source[from, to) keeping line/lineStart right.
  const advanceTo = (to: number): void => {
    for (let k = i; k < to; k++) {
      if (source[k] === '\n') { line++; lineStart = k + 1; }
    }
    i = to;
  };
  const push = (kind: TokenKind, start: number, end: number, value: string, tokLine: number, tokColumn: number): void => {
    const text = source.slice(start, end);
    tokens.push({ kind, text, value, upper: kind === 'word' ? text.toUpperCase() : '', line: tokLine, column: tokColumn, start, end });
  };

  while (i < n) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f') { advanceTo(i + 1); continue; }
    if (c === '-' && source[i + 1] === '-') {
      let j = i;
      while (j < n && source[j] !== '\n') j++;
      advanceTo(j);
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      // Comments; a hint `/*+ OPTIONS(...) */` is kept on the token before it (table hints follow the table name).
      const close = source.indexOf('*/', i + 2);
      if (close < 0) fail('comment is not closed: expected \'*/\'', i);
      const prev = tokens[tokens.length - 1];
      if (source[i + 2] === '+' && prev !== undefined) {
        const at = positionAt(source, i + 3);
        prev.hint = { text: source.slice(i + 3, close), line: at.line, column: at.column };
      }
      advanceTo(close + 2);
      continue;
    }
    const tokLine = line;
    const tokColumn = i - lineStart + 1;
    const start = i;
    if ((c === 'X' || c === 'x') && source[i + 1] === "'") {
      const close = source.indexOf("'", i + 2);
      if (close < 0) fail('binary string is not closed: expected \'', i);
      const hex = source.slice(i + 2, close);
      if (!/^[0-9A-Fa-f]*$/.test(hex) || hex.length % 2 !== 0) fail(`binary string X'${hex}' must hold an even number of hexadecimal digits`, i);
      advanceTo(close + 1);
      push('binary', start, i, hex, tokLine, tokColumn);
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(source[j]!)) j++;
      advanceTo(j);
      push('word', start, j, source.slice(start, j), tokLine, tokColumn);
      continue;
    }
    if (c === '`') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= n) fail('quoted identifier is not closed: expected \'`\'', start);
        if (source[j] === '`') {
          if (source[j + 1] === '`') { value += '`'; j += 2; continue; }
          break;
        }
        value += source[j];
        j++;
      }
      if (value.length === 0) fail('quoted identifier is empty', start);
      advanceTo(j + 1);
      push('quoted', start, j + 1, value, tokLine, tokColumn);
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= n) fail("string literal is not closed: expected '", start);
        if (source[j] === "'") {
          if (source[j + 1] === "'") { value += "'"; j += 2; continue; }
          break;
        }
        value += source[j];
        j++;
      }
      advanceTo(j + 1);
      push('string', start, j + 1, value, tokLine, tokColumn);
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(source[i + 1]))) {
      let j = i;
      while (isDigit(source[j])) j++;
      if (source[j] === '.' && isDigit(source[j + 1])) { j++; while (isDigit(source[j])) j++; }
      else if (source[j] === '.' && !isIdentStart(source[j + 1] ?? ' ')) j++;
      if ((source[j] === 'e' || source[j] === 'E') && (isDigit(source[j + 1]) || ((source[j + 1] === '+' || source[j + 1] === '-') && isDigit(source[j + 2])))) {
        j += 2;
        while (isDigit(source[j])) j++;
      }
      if (j < n && isIdentStart(source[j]!)) fail(`'${source.slice(start, j + 1)}' is not a number: expected an operator or whitespace after '${source.slice(start, j)}'`, start);
      advanceTo(j);
      push('number', start, j, source.slice(start, j), tokLine, tokColumn);
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op === undefined) fail(`unexpected character '${c}'`, i);
    advanceTo(i + op!.length);
    push('op', start, i, op!, tokLine, tokColumn);
  }
  tokens.push({ kind: 'eof', text: '', value: '', upper: '', line, column: i - lineStart + 1, start: n, end: n });
  return tokens;
}

export function positionAt(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < source.length; k++) {
    if (source[k] === '\n') { line++; lineStart = k + 1; }
  }
  return { line, column: offset - lineStart + 1 };
}
