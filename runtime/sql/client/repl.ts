// `millrace sql` without -f: the SQL client reading lines from stdin (a terminal, or a pipe as in
// `millrace sql < statements.sql`), prompting on a terminal only. Ctrl-C stops a running SELECT;
// with nothing running it leaves, as QUIT; does.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { SqlClient } from './sql-client.ts';

const PROMPT = 'Millrace SQL> ';
const CONTINUATION = '> ';

export interface ReplOptions {
  readonly config: Record<string, string>;
  /** an init script run before the first prompt (Flink's `sql-client.sh -i`): DDL, SET ... */
  readonly init?: string;
  readonly parallelism: number;
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
}

/** Runs the client until QUIT; or the end of input; the exit code. */
export async function runRepl(opts: ReplOptions): Promise<number> {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  const terminal = (input as { isTTY?: boolean }).isTTY === true;
  const client = new SqlClient({ out: (t) => output.write(`${t}\n`), config: opts.config, parallelism: opts.parallelism });
  const rl = createInterface({ input, output, terminal, prompt: PROMPT });
  const onInterrupt = () => {
    if (!client.interrupt()) rl.close();
  };
  rl.on('SIGINT', onInterrupt); // a terminal's Ctrl-C
  process.on('SIGINT', onInterrupt); // Ctrl-C or kill -INT with piped input
  output.write('Millrace SQL client: statements end with \';\' and may span lines. HELP; lists the commands, QUIT; leaves.\n\n');
  const prompt = () => {
    if (!terminal) return;
    rl.setPrompt(client.pending ? CONTINUATION : PROMPT);
    rl.prompt();
  };
  try {
    if (opts.init !== undefined) {
      let text: string;
      try {
        text = readFileSync(opts.init, 'utf8');
      } catch (err) {
        throw new Error(`MR_ERR_CLI: cannot read the init script '${opts.init}': ${(err as Error).message}`, { cause: err });
      }
      for (const line of text.split('\n')) await client.line(line);
      if (client.errors > 0) {
        throw new Error(`MR_ERR_CLI: the init script '${opts.init}' had ${client.errors} failing statement${client.errors === 1 ? '' : 's'} (printed above); fix it and start again`);
      }
      output.write(`[INFO] Executed the init script ${opts.init}.\n`);
    }
    prompt();
    for await (const line of rl) {
      await client.line(line);
      if (client.quit) break;
      prompt();
    }
    await client.end();
  } finally {
    process.off('SIGINT', onInterrupt);
    rl.close();
  }
  return 0;
}
