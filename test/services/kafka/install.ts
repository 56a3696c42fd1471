// Apache Kafka's broker jars from Maven Central, resolved by Maven from pom.xml (beside this
// file) into the cache, keyed by version. A finished copy has a `.complete` marker, so a copy
// cut short is redone instead of being started half.
import { execFile } from 'node:child_process';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KafkaEnvironmentError } from './errors.ts';

const pom = join(dirname(fileURLToPath(import.meta.url)), 'pom.xml');

export async function ensureKafkaJars(lib: string, log: (line: string) => void = () => {}): Promise<string> {
  const marker = join(lib, '.complete');
  if (await access(marker).then(() => true, () => false)) return lib;
  const partial = `${lib}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(dirname(lib), { recursive: true });
  log(`resolving Apache Kafka's jars from Maven Central into ${lib}`);
  try {
    await promisify(execFile)('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`, '-DincludeScope=runtime'], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    const hint = e.code === 'ENOENT' ? 'Maven (mvn) is not installed; install it (Debian: apt-get install maven) or run .ci/prepare-kafka.sh' : `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-10).join('\n');
    throw new KafkaEnvironmentError('MR_ERR_KAFKA_INSTALL_FAILED', `mvn dependency:copy-dependencies -f ${pom} failed: ${hint}`);
  }
  await writeFile(join(partial, '.complete'), new Date().toISOString() + '\n');
  await rm(lib, { recursive: true, force: true });
  await rename(partial, lib);
  return lib;
}
