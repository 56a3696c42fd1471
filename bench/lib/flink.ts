// The Flink side of the benchmark: builds bench/flink once per source hash (the jar is cached
// under ~/.cache/millrace/bench/, Maven's downloads under ~/.m2) and runs one query on it.

import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { runCaptured } from './run-process.ts';

export const FLINK_PROJECT = new URL('../flink/', import.meta.url).pathname;

export function sourceHash(projectDir: string = FLINK_PROJECT): string {
  const files = [join(projectDir, 'pom.xml'), ...listFiles(join(projectDir, 'src'))].sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(projectDir, file));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Path of the shaded jar for the current sources, building it with Maven when not cached. */
export async function ensureFlinkJar(log: (line: string) => void): Promise<string> {
  const cacheDir = join(homedir(), '.cache', 'millrace', 'bench');
  const jar = join(cacheDir, `millrace-nexmark-flink-${sourceHash()}.jar`);
  if (existsSync(jar)) return jar;
  log(`building the Flink peer with Maven (cached as ${jar})`);
  await runCaptured('mvn', ['-q', '-B', 'package', '-DskipTests'], { cwd: FLINK_PROJECT, timeoutMs: 1_800_000, inheritOutput: true });
  mkdirSync(cacheDir, { recursive: true });
  copyFileSync(join(FLINK_PROJECT, 'target', 'millrace-nexmark-flink.jar'), jar);
  return jar;
}

/**
 * The JVM command line: Flink 1.20 on Java 17 needs these packages opened for its serializers.
 * `mainClass`: run that class of the jar instead of its manifest's (bench:nexmark-sql's SqlBench).
 */
export function javaArgs(jar: string, heapGb = 3, mainClass?: string): string[] {
  return [
    `-Xmx${heapGb}g`, `-Xms${heapGb}g`,
    '--add-opens=java.base/java.util=ALL-UNNAMED',
    '--add-opens=java.base/java.lang=ALL-UNNAMED',
    '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
    '--add-opens=java.base/java.io=ALL-UNNAMED',
    '--add-opens=java.base/java.time=ALL-UNNAMED',
    ...(mainClass === undefined ? ['-jar', jar] : ['-cp', jar, mainClass]),
  ];
}
