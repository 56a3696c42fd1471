// The Flink side of sql:compare: builds bench/flink-sql (Flink's table planner and runtime from
// Maven Central, the release of bench/flink) once per source hash into the cache, runs a prepared
// SQL file on it, and reads each sink's final result.

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { PreparedRun } from './prepare.ts';

export const ORACLE_PROJECT = new URL('../../../bench/flink-sql/', import.meta.url).pathname;
export const FLINK_VERSION = '1.20.3';

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => (statSync(path.join(dir, n)).isDirectory() ? listFiles(path.join(dir, n)) : [path.join(dir, n)]));
}

function sourceHash(): string {
  const h = createHash('sha256');
  // bench/flink's sources too: the pom compiles its Nexmark generator into the jar (bench:nexmark-sql)
  for (const f of [path.join(ORACLE_PROJECT, 'pom.xml'), ...listFiles(path.join(ORACLE_PROJECT, 'src')), ...listFiles(path.join(ORACLE_PROJECT, '..', 'flink', 'src', 'main', 'java'))].sort()) {
    h.update(path.relative(ORACLE_PROJECT, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

export function oracleCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.MILLRACE_CACHE_DIR ?? path.join(homedir(), '.cache', 'millrace'), 'flink-sql', FLINK_VERSION);
}

/** The oracle's jar for the current sources, built with Maven when not cached. */
export function ensureOracleJar(log: (line: string) => void = () => {}): string {
  const jar = path.join(oracleCacheDir(), `millrace-flink-sql-oracle-${sourceHash()}.jar`);
  if (existsSync(jar)) return jar;
  log(`building the Flink SQL oracle with Maven (cached as ${jar})`);
  execFileSync('mvn', ['-q', '-B', '-Dstyle.color=never', 'package', '-DskipTests'], { cwd: ORACLE_PROJECT, stdio: ['ignore', 'inherit', 'inherit'] });
  mkdirSync(path.dirname(jar), { recursive: true });
  copyFileSync(path.join(ORACLE_PROJECT, 'target', 'millrace-flink-sql-oracle.jar'), `${jar}.tmp`);
  renameSync(`${jar}.tmp`, jar);
  // jars of older sources are 130 MB each: keep only the current one
  for (const f of readdirSync(path.dirname(jar))) {
    if (f.startsWith('millrace-flink-sql-oracle-') && f.endsWith('.jar') && f !== path.basename(jar)) rmSync(path.join(path.dirname(jar), f));
  }
  return jar;
}

export interface OracleSinkResult {
  readonly table: string;
  /** canonical JSON rows, sorted (the changelog applied) */
  readonly rows: string[];
  /** retractions of rows that were not there (a wrong changelog) */
  readonly problems: string[];
}

export interface OracleResult {
  readonly flinkVersion: string;
  readonly seconds: number;
  readonly sinks: OracleSinkResult[];
  /** INSERTs Flink refused (with skipRefused): index into the statements and Flink's message */
  readonly refused: Array<{ statement: number; error: string }>;
}

export interface OracleOptions {
  /** an INSERT Flink refuses is reported in `refused` and the others run (default: the run fails) */
  readonly skipRefused?: boolean;
}

/**
 * Runs statements on Flink SQL in one JVM (mini-cluster, parallelism 1); resolves with its stdout
 * (what print sinks wrote, then a JSON summary line), rejects with Flink's own error text.
 */
export async function runFlinkStatements(statements: readonly string[], workDir: string, jar = ensureOracleJar(), options: OracleOptions = {}): Promise<string> {
  const planFile = path.join(workDir, 'flink-plan.json');
  writeFileSync(planFile, JSON.stringify({ statements, parallelism: 1, skipRefused: options.skipRefused ?? false }, null, 2));
  const args = [
    '-Xmx1g', '-XX:+UseSerialGC',
    '--add-opens=java.base/java.util=ALL-UNNAMED', '--add-opens=java.base/java.lang=ALL-UNNAMED',
    '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED', '--add-opens=java.base/java.io=ALL-UNNAMED',
    '--add-opens=java.base/java.time=ALL-UNNAMED', '-jar', jar, planFile,
  ];
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  if (code !== 0) {
    const cause = stderr.split('\n').filter((l) => /Exception|Error|Caused by/.test(l)).slice(-6).join('\n') || stderr.slice(-2000);
    throw new Error(`MR_ERR_ORACLE_FLINK: Flink SQL refused or failed the statements (exit ${code}):\n${cause}`);
  }
  return stdout;
}

/** Runs the prepared statements on Flink SQL and reads each sink's final result. */
export async function runOracle(prepared: PreparedRun, workDir: string, jar = ensureOracleJar(), options: OracleOptions = {}): Promise<OracleResult> {
  const stdout = await runFlinkStatements(prepared.flinkStatements, workDir, jar, options);
  const summary = JSON.parse(stdout.trim().split('\n').pop()!) as { flinkVersion: string; seconds: number; refused?: Array<{ statement: number; error: string }> };
  return {
    flinkVersion: summary.flinkVersion,
    seconds: summary.seconds,
    refused: summary.refused ?? [],
    // a refused INSERT's sink has no result file
    sinks: prepared.sinks.filter((s) => existsSync(`${s.prefix}.final.jsonl`)).map((s) => {
      const final = readFileSync(`${s.prefix}.final.jsonl`, 'utf8');
      const problemsFile = `${s.prefix}.problems.txt`;
      return {
        table: s.table,
        rows: final.split('\n').filter((l) => l.length > 0),
        problems: existsSync(problemsFile) ? readFileSync(problemsFile, 'utf8').trim().split('\n') : [],
      };
    }),
  };
}

// `node test/sql/flink-oracle/oracle.ts --build`: builds (or finds) the cached jar; .ci/prepare-flink-sql.sh runs it.
if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === '--build') {
  console.log(ensureOracleJar((l) => console.log(l)));
}
