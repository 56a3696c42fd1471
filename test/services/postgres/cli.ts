// `npm run postgres:up | postgres:down | postgres:status` — the local PostgreSQL server (Debian's
// packages) for tests and development. Progress goes to stderr; `up` prints only the export lines
// on stdout: eval "$(npm run -s postgres:up)".
import { parseArgs } from 'node:util';
import { localClusterHostAddress } from '../../cluster/s3/host-address.ts';
import { downPostgres, statusPostgres, upPostgres } from './lifecycle.ts';
import { defaults, exportLines, postgresPaths } from './plan.ts';

const usage = `usage: cli.ts up [--host-address <ip>]
       cli.ts down | status
  --host-address  also listen on this address of the machine (same port) so pods reach it, with password
                  logins from its attached subnets; by default the local cluster's host address (10.245.0.1)
                  while it runs, loopback only otherwise
  environment: MILLRACE_POSTGRES_PORT (default ${defaults.port}), MILLRACE_CACHE_DIR (default ~/.cache/millrace),
               MILLRACE_POSTGRES_BIN (default: the newest /usr/lib/postgresql/<major>/bin)`;

const log = (line: string) => process.stderr.write(`[postgres] ${line}\n`);

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { 'host-address': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const command = positionals[0];
  if (values.help || !command) {
    process.stderr.write(usage + '\n');
    return values.help ? 0 : 64;
  }
  switch (command) {
    case 'up': {
      const hostAddress = values['host-address'] ?? localClusterHostAddress();
      const { connection, record } = await upPostgres({ ...(hostAddress ? { hostAddress } : {}), log });
      if (record.hostAddress) log(`pods: ${record.hostAddress}:${record.port}`);
      process.stdout.write(exportLines(connection));
      return 0;
    }
    case 'down': {
      const stopped = await downPostgres();
      log(stopped ? `stopped PostgreSQL (pid ${stopped.pid})` : 'PostgreSQL was not running');
      return 0;
    }
    case 'status': {
      const record = await statusPostgres();
      if (!record) {
        process.stdout.write('postgres: not running\n');
        return 3;
      }
      process.stdout.write(`postgres: PostgreSQL ${record.version} running, pid ${record.pid}, on 127.0.0.1${record.hostAddress ? ` and ${record.hostAddress}` : ''}:${record.port}, data in ${postgresPaths().dataDir}, since ${record.startedAt}, started by ${record.owner}\n`);
      return 0;
    }
    default:
      process.stderr.write(`unknown command ${command}\n${usage}\n`);
      return 64;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`[postgres] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
