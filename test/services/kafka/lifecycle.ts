// `up` / `down` / `status` of the local broker. One process at a time decides whether to start,
// reuse or restart it (jest runs test files in parallel workers that may all ask at once).
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { findRunningBroker, startBroker, stopBroker } from './broker.ts';
import { KafkaEnvironmentError } from './errors.ts';
import { ensureKafkaJars } from './install.ts';
import type { BrokerRecord, KafkaPaths } from './plan.ts';
import { bootstrapFor, decideBrokerAction, defaults, kafka, kafkaPaths, saslBootstrapFor } from './plan.ts';

export interface UpOptions {
  /** An address of this machine pods can reach; the broker gets a listener there as well. */
  hostAddress?: string;
  /** Listen there too when the broker is started, but never restart a running one for it. */
  preferHostAddress?: string;
  /** Recorded with the broker so a test run stops only what it started. */
  owner?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface UpResult {
  /** `127.0.0.1:<port>` (or the host address listener when one was asked for) */
  bootstrap: string;
  /** the host address's SASL_PLAINTEXT (SCRAM) listener, when a host address was asked for */
  saslBootstrap?: string;
  record: BrokerRecord;
  started: boolean;
}

function result(record: BrokerRecord, useHostAddress: boolean, started: boolean): UpResult {
  const sasl = useHostAddress ? saslBootstrapFor(record) : undefined;
  return { bootstrap: bootstrapFor(record, useHostAddress), ...(sasl ? { saslBootstrap: sasl } : {}), record, started };
}

function portFrom(env: NodeJS.ProcessEnv): number {
  if (env.MILLRACE_KAFKA_PORT === undefined) return defaults.port;
  const port = Number(env.MILLRACE_KAFKA_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65534) {
    throw new KafkaEnvironmentError('MR_ERR_KAFKA_PORT', `MILLRACE_KAFKA_PORT=${env.MILLRACE_KAFKA_PORT} is not a TCP port; set it to a free port such as ${defaults.port} (the next port is the controller's)`);
  }
  return port;
}

async function withStateLock<T>(paths: KafkaPaths, action: () => Promise<T>): Promise<T> {
  await mkdir(dirname(paths.stateDir), { recursive: true });
  await mkdir(paths.stateDir, { recursive: true, mode: 0o700 });
  const release = await lockfile.lock(paths.stateDir, {
    lockfilePath: `${paths.stateDir}/.lock`,
    stale: 30_000,
    retries: { retries: 1200, minTimeout: 100, maxTimeout: 1000 },
  });
  try {
    return await action();
  } finally {
    await release();
  }
}

/** Resolves the jars if needed, then starts the broker or reuses the running one. */
export async function upKafka(options: UpOptions = {}): Promise<UpResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const paths = kafkaPaths(env);
  const port = portFrom(env);
  const hostAddress = options.hostAddress;
  const lib = await ensureKafkaJars(paths.lib, log);
  return withStateLock(paths, async () => {
    const action = decideBrokerAction(await findRunningBroker(paths.brokerFile), { version: kafka.version, port, ...(hostAddress ? { hostAddress } : {}) });
    if (action.kind === 'reuse') {
      log(`Kafka already runs (pid ${action.record.pid})`);
      return result(action.record, hostAddress !== undefined, false);
    }
    if (action.kind === 'restart') {
      log(`restarting Kafka (pid ${action.record.pid}): ${action.reason}`);
      await stopBroker(action.record, paths.brokerFile);
    }
    const listenOn = hostAddress ?? options.preferHostAddress;
    const record = await startBroker({
      paths, lib, version: kafka.version, port,
      // a restarted broker keeps the owner of the one it replaces
      owner: action.kind === 'restart' ? action.record.owner : (options.owner ?? 'manual'),
      ...(listenOn ? { hostAddress: listenOn } : {}),
    });
    log(`Kafka ${kafka.version} started (pid ${record.pid}) on 127.0.0.1:${port}${listenOn ? ` and ${listenOn}:${defaults.hostPort} (SASL/SCRAM: ${defaults.hostSaslPort})` : ''}, data in ${paths.dataDir}`);
    return result(record, hostAddress !== undefined, true);
  });
}

export interface DownOptions {
  /** Stop only a broker started by this owner (a test run); omit to stop whatever runs. */
  owner?: string;
  env?: NodeJS.ProcessEnv;
}

/** Stops the recorded broker. Returns its record, or undefined when none ran (or another owner's). */
export async function downKafka(options: DownOptions = {}): Promise<BrokerRecord | undefined> {
  const paths = kafkaPaths(options.env ?? process.env);
  return withStateLock(paths, async () => {
    const record = await findRunningBroker(paths.brokerFile);
    if (!record || (options.owner !== undefined && record.owner !== options.owner)) return undefined;
    await stopBroker(record, paths.brokerFile);
    return record;
  });
}

export async function statusKafka(env: NodeJS.ProcessEnv = process.env): Promise<BrokerRecord | undefined> {
  return findRunningBroker(kafkaPaths(env).brokerFile);
}
