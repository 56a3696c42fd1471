// What the SQL client does with typed lines, as Flink's SQL client does: input accumulates until
// a `;` that ends a statement (not one inside a string, a quoted name or a comment), so a
// statement may span lines and a line may hold several statements. Pure: lines in, statement
// texts out, the position of each statement's first line kept for messages.

export interface BufferedStatement {
  /** the statement's text without its terminating `;` */
  readonly text: string;
  /** 1-based input line where it starts (a person's line count over the session) */
  readonly line: number;
}

type Mode = 'code' | 'string' | 'quoted' | 'line-comment' | 'block-comment';

export class StatementBuffer {
  private text = '';
  private mode: Mode = 'code';
  private startLine = 0;
  private lines = 0;

  /** true while a statement is incomplete (the client shows a continuation prompt) */
  get pending(): boolean {
    return this.text.trim() !== '';
  }

  /** Adds one line of input; returns the statements it completed. */
  push(line: string): BufferedStatement[] {
    this.lines++;
    const done: BufferedStatement[] = [];
    if (this.text.trim() === '') this.startLine = this.lines;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      const next = line[i + 1];
      switch (this.mode) {
        case 'code':
          if (c === "'") this.mode = 'string';
          else if (c === '`') this.mode = 'quoted';
          else if (c === '-' && next === '-') this.mode = 'line-comment';
          else if (c === '/' && next === '*') {
            this.text += c + next;
            i++;
            this.mode = 'block-comment';
            continue;
          } else if (c === ';') {
            // EXECUTE STATEMENT SET BEGIN ...; ...; END; is one statement: its inner ';' do not end it
            if (/^EXECUTE\s+STATEMENT\s+SET\s+BEGIN\b/i.test(this.text.trimStart()) && !/\bEND\s*$/i.test(this.text)) break;
            const text = this.text.trim();
            if (text !== '') done.push({ text, line: this.startLine });
            this.text = '';
            this.startLine = this.lines;
            continue;
          }
          break;
        case 'string':
          // '' inside a string is an escaped quote: leaving and re-entering gives the same result
          if (c === "'") this.mode = 'code';
          break;
        case 'quoted':
          if (c === '`') this.mode = 'code';
          break;
        case 'line-comment':
          break;
        case 'block-comment':
          if (c === '*' && next === '/') {
            this.text += c + next;
            i++;
            this.mode = 'code';
            continue;
          }
          break;
      }
      if (this.text === '' && /\s/.test(c) && this.mode === 'code') {
        continue; // leading blanks do not start a statement
      }
      if (this.text === '') this.startLine = this.lines;
      this.text += c;
    }
    if (this.mode === 'line-comment') this.mode = 'code';
    if (this.text !== '') this.text += '\n';
    return done;
  }

  /** What is left unterminated (at the end of input). */
  rest(): BufferedStatement | undefined {
    const text = this.text.trim();
    // a trailing comment alone is not a statement
    if (text === '' || /^(--[^\n]*\n?\s*)*$/.test(text)) return undefined;
    return { text, line: this.startLine };
  }

  clear(): void {
    this.text = '';
    this.mode = 'code';
  }
}
