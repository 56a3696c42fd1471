// `npm run s3:up | s3:down | s3:status | s3:build` — the local S3 server for tests and development.
// Progress goes to stderr; `up` prints only export lines on stdout: eval "$(npm run -s s3:up)".
import { parseArgs } from 'node:util';
import { ensureMinioBinary } from './build.ts';
import { localClusterHostAddress } from './host-address.ts';
import { downS3, statusS3, upS3 } from './lifecycle.ts';
import { s3Paths } from './paths.ts';
import { renderExports } from './plan.ts';

const usage = `usage: cli.ts up [--host-address <ip>] [--port <port>] [--bucket <name>]
       cli.ts down | status | build
  --host-address  also listen on this address of the machine so pods reach it; by default the local
                  cluster's host address (10.245.0.1) while it runs, loopback only otherwise
  environment: MILLRACE_S3_PORT (default 19000), MILLRACE_S3_BUCKET (default millrace-test),
               MILLRACE_S3_HOST_ADDRESS (empty: loopback only), MILLRACE_CACHE_DIR (default ~/.cache/millrace)`;

const log = (line: string) => process.stderr.write(`[s3] ${line}\n`);

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'host-address': { type: 'string' },
      port: { type: 'string' },
      bucket: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stderr.write(usage + '\n');
    return values.help ? 0 : 64;
  }
  switch (command) {
    case 'up': {
      // Pods reach the server on the cluster's host address whenever the local cluster runs.
      const hostAddress = values['host-address'] ?? process.env.MILLRACE_S3_HOST_ADDRESS ?? localClusterHostAddress();
      const { connection } = await upS3({
        ...(hostAddress ? { hostAddress } : {}),
        ...(values.port ? { port: Number(values.port) } : {}),
        ...(values.bucket ? { bucket: values.bucket } : {}),
        log,
      });
      log(`bucket ${connection.bucket} ready at ${connection.endpoint}`);
      process.stdout.write(renderExports(connection));
      return 0;
    }
    case 'down': {
      const stopped = await downS3();
      log(stopped ? `stopped MinIO (pid ${stopped.pid})` : 'MinIO was not running');
      return 0;
    }
    case 'status': {
      const record = await statusS3();
      if (!record) {
        process.stdout.write('s3: not running\n');
        return 3;
      }
      const where = [`127.0.0.1:${record.port}`, ...(record.hostAddress ? [`${record.hostAddress}:${record.port}`] : [])].join(' and ');
      process.stdout.write(`s3: MinIO ${record.version} running, pid ${record.pid}, on ${where}, since ${record.startedAt}, started by ${record.owner}\n`);
      return 0;
    }
    case 'build':
      log(`MinIO binary: ${await ensureMinioBinary({ binary: s3Paths().binary, log })}`);
      return 0;
    default:
      process.stderr.write(`unknown command ${command}\n${usage}\n`);
      return 64;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`[s3] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
