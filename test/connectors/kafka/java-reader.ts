// Reads a topic with Apache Kafka's Java consumer (read_committed): the reference a Millrace
// exactly-once result is checked against, independent of the Node client the connector uses.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { kafkaPaths } from '../../services/kafka/plan.ts';

const program = fileURLToPath(new URL('./ReadCommitted.java', import.meta.url));

export async function javaReadCommitted(bootstrap: string, topic: string, o: { count: number; idleMs?: number; timeoutMs?: number }): Promise<string[]> {
  const java = process.env.JAVA_HOME ? `${process.env.JAVA_HOME}/bin/java` : 'java';
  const { stdout } = await promisify(execFile)(java, [
    '-Xmx256m', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-Dlog4j2.level=WARN', '-cp', `${kafkaPaths().lib}/*`, program,
    bootstrap, topic, String(o.count), String(o.idleMs ?? 2000), String(o.timeoutMs ?? 30_000),
  ], { maxBuffer: 256 * 1024 * 1024 });
  return stdout.split('\n').filter((l) => l.length > 0);
}
