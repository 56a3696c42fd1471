// What tests use to get a Kafka broker. MILLRACE_KAFKA_BOOTSTRAP names an existing one (used as
// is). Otherwise the local broker is reused, or started (resolving its jars first if the cache
// lacks them; `.ci/prepare-kafka.sh` does that ahead of time); a broker started here is owned by
// the test run (MILLRACE_TEST_RUN_ID), whose global teardown stops it with `stopKafkaStartedBy`.
import { localClusterHostAddress } from '../../cluster/s3/host-address.ts';
import { downKafka, upKafka } from './lifecycle.ts';

export interface KafkaConnection {
  /** `host:port` to bootstrap from */
  bootstrap: string;
  /**
   * With a host address: `host:port` of the SASL_PLAINTEXT listener there (SCRAM-SHA-256/512; make
   * a user with `createScramUser` of scram-users.ts). MILLRACE_KAFKA_SASL_BOOTSTRAP names an existing
   * broker's, beside MILLRACE_KAFKA_BOOTSTRAP.
   */
  saslBootstrap?: string;
}

export interface UseKafkaOptions {
  /** An address of this machine pods can reach (`(await useNode()).hostAddress`): the bootstrap returned is there. */
  hostAddress?: string;
}

const connections = new Map<string, Promise<KafkaConnection>>();

export function useKafka(options: UseKafkaOptions = {}): Promise<KafkaConnection> {
  const key = options.hostAddress ?? '';
  let connection = connections.get(key);
  if (!connection) {
    connection = resolveKafka(options);
    connections.set(key, connection);
    connection.catch(() => connections.delete(key));
  }
  return connection;
}

async function resolveKafka(options: UseKafkaOptions): Promise<KafkaConnection> {
  if (process.env.MILLRACE_KAFKA_BOOTSTRAP) {
    const sasl = process.env.MILLRACE_KAFKA_SASL_BOOTSTRAP;
    return { bootstrap: process.env.MILLRACE_KAFKA_BOOTSTRAP, ...(sasl ? { saslBootstrap: sasl } : {}) };
  }
  // While the local cluster runs, listen on its host address from the start even for loopback
  // callers (as MinIO does), so a later caller whose pods need the broker causes no restart under
  // tests in other workers.
  const preferred = options.hostAddress ? undefined : localClusterHostAddress();
  const { record, bootstrap, saslBootstrap } = await upKafka({
    ...(options.hostAddress ? { hostAddress: options.hostAddress } : {}),
    ...(preferred ? { preferHostAddress: preferred } : {}),
    owner: process.env.MILLRACE_TEST_RUN_ID ?? 'test',
    log: (line) => process.stderr.write(`[kafka] ${line}\n`),
  });
  return options.hostAddress ? { bootstrap, ...(saslBootstrap ? { saslBootstrap } : {}) } : { bootstrap: `127.0.0.1:${record.port}` };
}

/** For a test run's global teardown: stops the broker only if this run started it. */
export async function stopKafkaStartedBy(runId: string): Promise<boolean> {
  return (await downKafka({ owner: runId })) !== undefined;
}
