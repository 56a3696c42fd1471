// The Flink side of `npm run bench:kafka`: bench/flink-kafka (Flink's own Kafka connector,
// flink-connector-kafka, and the table planner), built with Maven once per source hash and cached
// under ~/.cache/millrace/bench/ as bench/flink's jar is (Maven's downloads under ~/.m2).

import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { sourceHash } from './flink.ts';
import { runCaptured } from './run-process.ts';

export const FLINK_KAFKA_PROJECT = new URL('../flink-kafka/', import.meta.url).pathname;
/** flink-connector-kafka's version in bench/flink-kafka/pom.xml (the connector's release for Flink 1.20) */
export const FLINK_KAFKA_CONNECTOR_VERSION = '3.3.0-1.20';

export async function ensureFlinkKafkaJar(log: (line: string) => void): Promise<string> {
  const cacheDir = join(homedir(), '.cache', 'millrace', 'bench');
  const jar = join(cacheDir, `millrace-kafka-flink-${sourceHash(FLINK_KAFKA_PROJECT)}.jar`);
  if (existsSync(jar)) return jar;
  log(`building the Flink Kafka peer with Maven (cached as ${jar})`);
  await runCaptured('mvn', ['-q', '-B', 'package', '-DskipTests'], { cwd: FLINK_KAFKA_PROJECT, timeoutMs: 1_800_000, inheritOutput: true });
  mkdirSync(cacheDir, { recursive: true });
  // copied under a temporary name first: an interrupted copy is never taken for a built jar
  copyFileSync(join(FLINK_KAFKA_PROJECT, 'target', 'millrace-kafka-flink.jar'), `${jar}.tmp`);
  renameSync(`${jar}.tmp`, jar);
  return jar;
}
