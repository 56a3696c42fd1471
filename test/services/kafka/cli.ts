// `npm run kafka:up | kafka:down | kafka:status | kafka:install` — the local Apache Kafka broker
// (single-node KRaft) for tests and development. Progress goes to stderr; `up` prints only the
// export line on stdout: eval "$(npm run -s kafka:up)".
import { parseArgs } from 'node:util';
import { localClusterHostAddress } from '../../cluster/s3/host-address.ts';
import { ensureKafkaJars } from './install.ts';
import { downKafka, statusKafka, upKafka } from './lifecycle.ts';
import { defaults, kafkaPaths } from './plan.ts';

const usage = `usage: cli.ts up [--host-address <ip>]
       cli.ts down | status | install
  --host-address  also listen on this address of the machine (port ${defaults.hostPort}, and SASL_PLAINTEXT with
                  SCRAM-SHA-256/512 on ${defaults.hostSaslPort}) so pods reach it; by default the local cluster's host address (10.245.0.1) while it runs, loopback only otherwise
  environment: MILLRACE_KAFKA_PORT (default ${defaults.port}; the next port is the controller's),
               MILLRACE_CACHE_DIR (default ~/.cache/millrace), JAVA_HOME (default: java on PATH)`;

const log = (line: string) => process.stderr.write(`[kafka] ${line}\n`);

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
      const { record } = await upKafka({ ...(hostAddress ? { hostAddress } : {}), log });
      log(`bootstrap 127.0.0.1:${record.port}${record.hostAddress ? ` (pods: ${record.hostAddress}:${defaults.hostPort}, SASL/SCRAM ${record.hostAddress}:${record.hostSaslPort ?? '-'})` : ''}`);
      process.stdout.write(`export MILLRACE_KAFKA_BOOTSTRAP=127.0.0.1:${record.port}\n`);
      return 0;
    }
    case 'down': {
      const stopped = await downKafka();
      log(stopped ? `stopped Kafka (pid ${stopped.pid})` : 'Kafka was not running');
      return 0;
    }
    case 'status': {
      const record = await statusKafka();
      if (!record) {
        process.stdout.write('kafka: not running\n');
        return 3;
      }
      const where = [`127.0.0.1:${record.port}`, ...(record.hostAddress ? [`${record.hostAddress}:${defaults.hostPort}`] : []), ...(record.hostSaslPort !== undefined ? [`SASL ${record.hostAddress}:${record.hostSaslPort}`] : [])].join(' and ');
      process.stdout.write(`kafka: Apache Kafka ${record.version} running, pid ${record.pid}, on ${where}, since ${record.startedAt}, started by ${record.owner}\n`);
      return 0;
    }
    case 'install':
      log(`jars in ${await ensureKafkaJars(kafkaPaths().lib, log)}`);
      return 0;
    default:
      process.stderr.write(`unknown command ${command}\n${usage}\n`);
      return 64;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`[kafka] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
