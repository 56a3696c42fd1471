// Starting, finding and stopping the broker's JVM. Its identity (pid and start time from
// /proc/<pid>/stat) is kept in broker.json, so a record is trusted only while that very process
// runs: a recycled pid is never mistaken for the broker, or killed.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaEnvironmentError } from './errors.ts';
import type { BrokerRecord, BrokerSecurity, KafkaPaths } from './plan.ts';
import { defaults, log4jConfig, renderBrokerConfig, STARTED_LINE } from './plan.ts';
import { findRunningRecord, startTicksOf } from '../support/process-record.ts';

const java = () => (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java');

async function isBrokerProcess(record: BrokerRecord): Promise<boolean> {
  return (await startTicksOf(record.pid)) === record.startTicks;
}

/** The recorded broker if it still runs; a stale record is removed. */
export function findRunningBroker(file: string): Promise<BrokerRecord | undefined> {
  return findRunningRecord<BrokerRecord>(file);
}

export interface StartOptions {
  paths: KafkaPaths;
  lib: string;
  version: string;
  port: number;
  hostAddress?: string;
  owner: string;
  readyTimeoutMs?: number;
  /** authenticated listeners (plan.ts `BrokerSecurity`) and extra `format` arguments such as `--add-scram` */
  security?: BrokerSecurity;
  formatArgs?: readonly string[];
}

function runJava(args: string[], logFd: number) {
  return spawn(java(), args, { stdio: ['ignore', logFd, logFd] });
}

export async function startBroker(o: StartOptions): Promise<BrokerRecord> {
  const { paths } = o;
  await mkdir(paths.stateDir, { recursive: true, mode: 0o700 });
  await writeFile(paths.configFile, renderBrokerConfig({ port: o.port, controllerPort: o.port + 1, hostPort: defaults.hostPort, hostSaslPort: defaults.hostSaslPort, dataDir: paths.dataDir, ...(o.hostAddress ? { hostAddress: o.hostAddress } : {}), ...(o.security ? { security: o.security } : {}) }));
  await writeFile(paths.log4jFile, log4jConfig);
  const classpath = `${o.lib}/*`;
  const log = await open(paths.logFile, 'a', 0o600);
  try {
    // A new data directory is formatted once (KRaft stores the cluster id in it); later starts reuse it.
    if (!(await access(join(paths.dataDir, 'meta.properties')).then(() => true, () => false))) {
      const clusterId = randomBytes(16).toString('base64url');
      const format = runJava(['-Xmx256m', `-Dlog4j2.configurationFile=${paths.log4jFile}`, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', paths.configFile, '--standalone', ...(o.formatArgs ?? [])], log.fd);
      const code = await new Promise<number | null>((resolve, reject) => format.once('error', reject).once('exit', resolve));
      if (code !== 0) throw new KafkaEnvironmentError('MR_ERR_KAFKA_START_FAILED', `formatting ${paths.dataDir} failed (exit ${code}); see ${paths.logFile}`);
    }
    const child = spawn(java(), [`-Xmx${defaults.heapMb}m`, '-Xms128m', `-Dlog4j2.configurationFile=${paths.log4jFile}`, '-cp', classpath, 'kafka.Kafka', paths.configFile], {
      detached: true, // its own process group: it outlives `kafka:up` and a test run's worker
      stdio: ['ignore', log.fd, log.fd],
    });
    const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code}`)));
    child.once('error', () => {});
    child.unref();
    if (child.pid === undefined) throw new KafkaEnvironmentError('MR_ERR_KAFKA_START_FAILED', `cannot start ${java()}; is a JDK (17 or later) installed?`);
    const logStart = (await readFile(paths.logFile, 'utf8').catch(() => '')).length;
    const record: BrokerRecord = {
      pid: child.pid,
      startTicks: (await startTicksOf(child.pid)) ?? '',
      version: o.version,
      port: o.port,
      startedAt: new Date().toISOString(),
      owner: o.owner,
      ...(o.hostAddress ? { hostAddress: o.hostAddress, hostSaslPort: defaults.hostSaslPort } : {}),
    };
    await writeFile(paths.brokerFile, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
    let ended: string | undefined;
    void exited.then((how) => (ended = how));
    const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000);
    for (;;) {
      const text = (await readFile(paths.logFile, 'utf8').catch(() => '')).slice(logStart);
      if (text.includes(STARTED_LINE)) return record;
      if (ended !== undefined || Date.now() > deadline) {
        if (ended === undefined) process.kill(child.pid, 'SIGKILL');
        await rm(paths.brokerFile, { force: true });
        throw new KafkaEnvironmentError(
          'MR_ERR_KAFKA_START_FAILED',
          `Kafka on 127.0.0.1:${o.port} ${ended ? `ended (${ended})` : 'was not ready in time'}; if the port is taken set MILLRACE_KAFKA_PORT to a free one (it uses that port and the next). Last lines of ${paths.logFile}:\n${text.split('\n').slice(-15).join('\n')}`,
        );
      }
      await sleep(200);
    }
  } finally {
    await log.close();
  }
}

/** Stops exactly the recorded process: SIGTERM (a clean shutdown), SIGKILL after the grace period. */
export async function stopBroker(record: BrokerRecord, brokerFile: string, graceMs = 30_000): Promise<void> {
  if (await isBrokerProcess(record)) {
    process.kill(record.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while ((await isBrokerProcess(record)) && Date.now() < deadline) await sleep(100);
    if (await isBrokerProcess(record)) process.kill(record.pid, 'SIGKILL');
    while (await isBrokerProcess(record)) await sleep(50);
  }
  await rm(brokerFile, { force: true });
}
