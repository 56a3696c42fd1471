// `npm run bench:kafka`: Kafka → filter/project → Kafka, events/s per core of Millrace (its `kafka`
// connector, `millrace run <file>.sql`) and of Flink (its own Kafka connector, bench/flink-kafka)
// in the same run, on the same topic data, the same SQL text on both sides (JSON in and out, the
// sink at-least-once, no checkpoints), measured as `npm run bench:nexmark` measures (bench/lib).
//
// Steps: the broker (`test/services/kafka`; started and stopped here when it was not running), the
// input topic (pre-filled, reused while its content is the same), the verification of both sides'
// output on a prefix (a mismatch fails the run), the plans, then `--runs` runs per side,
// alternating, each into a new output topic; a run whose output shows that an input partition may
// have run dry fails. Writes bench/results/kafka.json and the Kafka section of bench/RESULTS.md;
// not with --no-write, nor for smoke runs (shorter than 3 runs of 30 s after 10 s of warm-up).
//
//   npm run bench:kafka -- [--runs 3] [--measure-seconds 30] [--warmup-seconds 10] [--records N]
//     [--parallelism 2] [--taskmanagers 2] [--verify-records 100000] [--seed 42] [--quick]
//     [--keep-input] [--no-write]

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildStreamGraph } from '../runtime/api/environment.ts';
import { buildJobGraph } from '../runtime/graph/job-graph.ts';
import { sqlScriptJob } from '../runtime/sql/physical/sql-job.ts';
import { downKafka, upKafka } from '../test/services/kafka/lifecycle.ts';
import { kafka as kafkaRelease, kafkaPaths } from '../test/services/kafka/plan.ts';
import { onInterrupt, runBench } from './lib/children.ts';
import { javaArgs } from './lib/flink.ts';
import { benchScript, benchStatements, checkOutput, type TopicNames } from './lib/kafka-data.ts';
import { ensureFlinkKafkaJar, FLINK_KAFKA_CONNECTOR_VERSION } from './lib/kafka-flink.ts';
import { drainCheck, renderKafkaSection, renderKafkaTable, replaceKafkaSection, type DrainCheck, type KafkaBenchReport, type KafkaBenchSettings, type KafkaVerification, type SideVerification } from './lib/kafka-report.ts';
import { bidRecords, createTopic, deleteTopic, endOffsets, ensureInputTopic, readValues, waitForTopicFilesGone, type InputTopic } from './lib/kafka-topics.ts';
import { describeMachine } from './lib/machine.ts';
import { millraceCommand } from './lib/millrace.ts';
import { isSmokeRun, MIN_MEASURE_SECONDS, MIN_RUNS, MIN_WARMUP_SECONDS } from './lib/report.ts';
import { figuresOf, perCoreRatio, type SystemOutcome } from './lib/results.ts';
import { runCaptured } from './lib/run-process.ts';
import type { WindowFigures } from './lib/window.ts';
import { measureFlinkWindow, measureMillraceWindow } from './lib/window-run.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const RESULTS_JSON = join(ROOT, 'bench', 'results', 'kafka.json');
/** as bench:nexmark-sql's Flink side: object reuse, as the Nexmark project's flink-conf */
const FLINK_CONFIGURATION = { 'pipeline.object-reuse': 'true' };
const FLINK_VERSION = '1.20.3';
/** Flink's heap: the other Flink peers' */
const FLINK_HEAP_GB = 3;

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string' },
    'measure-seconds': { type: 'string' },
    'warmup-seconds': { type: 'string' },
    records: { type: 'string' },
    block: { type: 'string', default: '1000000' },
    parallelism: { type: 'string', default: '2' },
    taskmanagers: { type: 'string', default: '2' },
    'verify-records': { type: 'string', default: '100000' },
    seed: { type: 'string', default: '42' },
    quick: { type: 'boolean', default: false },
    'keep-input': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
});

function positiveInteger(name: string, text: string, min = 1): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`MR_ERR_BENCH_OPTION: --${name} must be an integer >= ${min}, got "${text}"`);
  return value;
}

// --quick: one short run per side on a smaller topic, to check that everything works (never written)
const quick = options.quick;
const parallelism = positiveInteger('parallelism', options.parallelism);
const settings: KafkaBenchSettings = {
  runs: positiveInteger('runs', options.runs ?? String(quick ? 1 : MIN_RUNS)),
  warmupSeconds: positiveInteger('warmup-seconds', options['warmup-seconds'] ?? String(quick ? 5 : MIN_WARMUP_SECONDS), 0),
  measureSeconds: positiveInteger('measure-seconds', options['measure-seconds'] ?? String(quick ? 10 : MIN_MEASURE_SECONDS)),
  parallelism,
  taskmanagers: positiveInteger('taskmanagers', options.taskmanagers),
  // as many partitions as subtasks: each source subtask reads one partition on both sides
  partitions: parallelism,
  records: positiveInteger('records', options.records ?? (quick ? '16000000' : '60000000')),
  block: positiveInteger('block', options.block),
  seed: positiveInteger('seed', options.seed, 0),
  verifyRecords: positiveInteger('verify-records', options['verify-records']),
  deliveryGuarantee: 'at-least-once',
  kafkaVersion: kafkaRelease.version,
  flinkVersion: FLINK_VERSION,
  flinkKafkaConnectorVersion: FLINK_KAFKA_CONNECTOR_VERSION,
  flinkConfiguration: FLINK_CONFIGURATION,
};
if (settings.verifyRecords > settings.block) throw new Error(`MR_ERR_BENCH_OPTION: --verify-records (${settings.verifyRecords}) must be at most --block (${settings.block}): the verification topic is the input's first records`);
const smoke = isSmokeRun(settings);
const log = (line: string) => process.stderr.write(`[bench:kafka] ${line}\n`);
const workDir = mkdtempSync(join(tmpdir(), 'millrace-bench-kafka-'));
const runId = Date.now().toString(36);
const createdTopics = new Set<string>();
/** topics deleted during the run, whose files cleanUp waits for the broker to remove */
const deletedTopics = new Set<string>();
let brokerStartedHere = false;
let bootstrap = '';

async function freshTopic(name: string): Promise<string> {
  await deleteTopic(bootstrap, name);
  await createTopic(bootstrap, name, settings.partitions);
  createdTopics.add(name);
  return name;
}

async function dropTopic(name: string): Promise<void> {
  await deleteTopic(bootstrap, name);
  createdTopics.delete(name);
  deletedTopics.add(name);
}

/** The plan file KafkaSqlBench reads and the SQL file `millrace run` reads, for the same statements. */
function writeJobFiles(name: string, topics: TopicNames, bounded: boolean): { planFile: string; sqlFile: string } {
  const planFile = join(workDir, `${name}-flink.json`);
  const sqlFile = join(workDir, `${name}.sql`);
  writeFileSync(planFile, JSON.stringify({ statements: benchStatements({ bootstrap, topics, bounded }), parallelism: settings.parallelism, configuration: FLINK_CONFIGURATION }, null, 2));
  writeFileSync(sqlFile, benchScript({ bootstrap, topics, bounded }));
  return { planFile, sqlFile };
}

function millraceArgs(sqlFile: string, summaryFile: string): { command: string; args: string[] } {
  return millraceCommand(ROOT, { job: sqlFile, parallelism: settings.parallelism, taskmanagers: settings.taskmanagers, checkpointIntervalMs: 0, summaryFile, parameters: {} });
}

// ---- verification: both sides bounded on the verification topic, outputs read back and checked

async function verify(jar: string, verifyTopic: InputTopic): Promise<KafkaVerification> {
  const inputs = [...bidRecords(settings.seed, settings.verifyRecords)];
  const side = async (system: 'flink' | 'millrace'): Promise<SideVerification> => {
    const output = await freshTopic(`millrace-bench-kafka-verify-out-${system}-${runId}`);
    const { planFile, sqlFile } = writeJobFiles(`verify-${system}`, { input: verifyTopic.name, output }, true);
    let sourceRecords: number;
    if (system === 'flink') {
      const out = await runCaptured('java', [...javaArgs(jar, FLINK_HEAP_GB), planFile], { cwd: ROOT, timeoutMs: 600_000 });
      const summary = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { sourceRecords: number }).pop();
      if (summary === undefined) throw new Error(`MR_ERR_BENCH_KAFKA_VERIFY: the Flink peer printed no summary: ${out.slice(-400)}`);
      sourceRecords = summary.sourceRecords;
    } else {
      const summaryFile = join(workDir, 'verify-millrace-summary.json');
      const { command, args } = millraceArgs(sqlFile, summaryFile);
      await runCaptured(command, [...args, '--no-progress'], { cwd: ROOT, timeoutMs: 600_000 });
      sourceRecords = (JSON.parse(readFileSync(summaryFile, 'utf8')) as { events: number }).events;
    }
    const check = checkOutput(inputs, await readValues(bootstrap, output, 1));
    await dropTopic(output);
    log(`verification ${system}: source counter ${sourceRecords} records; output ${check.rows} rows, ${check.equal ? 'equal to the reference' : `NOT equal: ${check.difference}`}`);
    return { sourceRecords, ...check };
  };
  const flink = await side('flink');
  const millrace = await side('millrace');
  const v: KafkaVerification = { inputRecords: settings.verifyRecords, flink, millrace, rowCountsEqual: flink.rows === millrace.rows };
  const problems = (['flink', 'millrace'] as const).flatMap((s) => [
    ...(v[s].equal ? [] : [`${s}'s output is not the reference: ${v[s].difference ?? `${v[s].rows} rows, ${v[s].expectedRows} expected`}`]),
    ...(v[s].sourceRecords === v.inputRecords ? [] : [`${s}'s source counter read ${v[s].sourceRecords} records of ${v.inputRecords}: the measured windows would not count input records`]),
  ]);
  if (!v.rowCountsEqual) problems.push(`row counts differ: Flink ${flink.rows}, Millrace ${millrace.rows}`);
  if (problems.length > 0) throw new Error(`MR_ERR_BENCH_WRONG_RESULT: ${problems.join('; ')}`);
  return v;
}

// ---- plans

function millraceTasks(sqlFile: string): string[] {
  return buildJobGraph(buildStreamGraph(sqlScriptJob(sqlFile), settings.parallelism, {})).vertices.map((v) => v.name);
}

async function flinkPlan(jar: string, planFile: string): Promise<string[]> {
  const out = await runCaptured('java', [...javaArgs(jar, 1), planFile, '--explain'], { cwd: ROOT, timeoutMs: 300_000 });
  const lines = out.split('\n');
  const at = lines.findIndex((l) => l.startsWith('== Optimized Execution Plan =='));
  return (at < 0 ? lines : lines.slice(at + 1)).filter((l) => l.trim().length > 0);
}

function sourceOf(): { commit: string; modifiedRuntimeFiles: string[] } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  return { commit: git('rev-parse', '--short', 'HEAD'), modifiedRuntimeFiles: git('status', '--porcelain', '--', 'runtime').split('\n').filter((l) => l.length > 0).map((l) => l.slice(3)) };
}

async function main(): Promise<void> {
  const machine = describeMachine(join(ROOT, 'node_modules', '.bin', 'node'));
  if (smoke) log(`smoke run (${settings.runs} run(s) of ${settings.measureSeconds} s after ${settings.warmupSeconds} s): figures are printed, never written`);
  const jar = await ensureFlinkKafkaJar(log);
  const up = await upKafka({ owner: 'bench:kafka', log });
  brokerStartedHere = up.started;
  bootstrap = `127.0.0.1:${up.record.port}`;
  log(`broker ${bootstrap} (${up.started ? 'started for this run' : 'already running'})`);

  const inputName = `millrace-bench-kafka-bids-s${settings.seed}-b${settings.block}-p${settings.partitions}-n${settings.records}`;
  const input = await ensureInputTopic(bootstrap, { name: inputName, records: settings.records, partitions: settings.partitions, seed: settings.seed, block: settings.block }, log);
  const verifyTopic = await ensureInputTopic(bootstrap, { name: `millrace-bench-kafka-verify-s${settings.seed}-p${settings.partitions}-n${settings.verifyRecords}`, records: settings.verifyRecords, partitions: settings.partitions, seed: settings.seed, block: settings.block }, log);
  createdTopics.add(verifyTopic.name);
  if (!options['keep-input']) createdTopics.add(input.name);

  const verification = await verify(jar, verifyTopic);

  const planTopics = { input: input.name, output: 'millrace-bench-kafka-out' };
  const { planFile: explainFile, sqlFile: planSql } = writeJobFiles('plan', planTopics, false);
  const tasks = millraceTasks(planSql);
  const plan = await flinkPlan(jar, explainFile);

  const load: number[] = [];
  const sampler = setInterval(() => load.push(loadavg()[0]!), 5000);
  const figures: { flink: WindowFigures[]; millrace: WindowFigures[] } = { flink: [], millrace: [] };
  const failed: { flink?: string; millrace?: string } = {};
  const drains: DrainCheck[] = [];
  const windowOptions = { warmupSeconds: settings.warmupSeconds, measureSeconds: settings.measureSeconds, cwd: ROOT, log };
  try {
    for (let i = 0; i < settings.runs; i++) {
      for (const system of ['flink', 'millrace'] as const) {
        if (failed[system] !== undefined) continue;
        const output = await freshTopic(`millrace-bench-kafka-out-${system}-${runId}-${i + 1}`);
        const { planFile, sqlFile } = writeJobFiles(`${system}-${i + 1}`, { input: input.name, output }, false);
        log(`${system} run ${i + 1}/${settings.runs} (load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')})`);
        const r = system === 'flink'
          ? await measureFlinkWindow([...javaArgs(jar, FLINK_HEAP_GB), planFile], windowOptions)
          : await (async () => {
            const { command, args } = millraceArgs(sqlFile, join(workDir, `millrace-${i + 1}.json`));
            return measureMillraceWindow(command, args, windowOptions);
          })();
        const written = (await endOffsets(bootstrap, output, settings.partitions)).reduce((a, b) => a + b, 0);
        const drain = drainCheck(system, i + 1, written, input.matchesPerPartition);
        drains.push(drain);
        await dropTopic(output);
        if (!r.ok) failed[system] = r.reason;
        else if (!drain.ok) failed[system] = `MR_ERR_BENCH_RAN_DRY: run ${i + 1} wrote ${written} records, at least the ${drain.limit} filter matches of an input partition: a partition may have run dry; raise --records`;
        else figures[system].push(r.figures);
        log(`${system} run ${i + 1}: ${r.ok ? JSON.stringify(r.figures) : r.reason}; output ${written} records (limit ${drain.limit})`);
      }
    }
  } finally {
    clearInterval(sampler);
  }
  const outcome = (system: 'flink' | 'millrace', planTasks: string[]): SystemOutcome => {
    const p = { logical: [], implementation: [], tasks: planTasks };
    if (failed[system] !== undefined) return { status: 'failed', reason: failed[system]!, plan: p };
    return { status: 'ok', runs: figures[system], plan: p, latency: { status: 'not measured', reason: 'bench:kafka measures throughput' } };
  };
  const flink = figuresOf(outcome('flink', plan));
  const millrace = figuresOf(outcome('millrace', tasks));
  const { ratio, range } = perCoreRatio(millrace, flink);
  const report: KafkaBenchReport = {
    generatedAt: new Date().toISOString(), machine, settings, source: sourceOf(),
    input: { topic: input.name, bytes: input.bytes, matchesPerPartition: input.matchesPerPartition },
    statements: benchStatements({ bootstrap, topics: { input: input.name, output: `millrace-bench-kafka-out-<side>-${runId}-<run>` }, bounded: false }),
    millraceTasks: tasks, flinkPlan: plan, verification, drainChecks: drains,
    loadAverage: load.length === 0 ? null : { min: Math.min(...load), max: Math.max(...load), samples: load.length },
    flink, millrace, ratioMillraceToFlinkPerCore: ratio, ratioRange: range, targetRatio: 1, targetMet: ratio === null ? null : ratio >= 1,
  };
  process.stdout.write(`${renderKafkaTable(report)}\n`);
  if (options['no-write'] || smoke) {
    log(`${smoke ? `smoke run (figures need ${MIN_RUNS} runs of ${MIN_MEASURE_SECONDS} s after ${MIN_WARMUP_SECONDS} s)` : '--no-write'}: bench/results/kafka.json and bench/RESULTS.md left as they were`);
  } else {
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(RESULTS_JSON, `${JSON.stringify(report, null, 2)}\n`);
    const resultsFile = join(ROOT, 'bench', 'RESULTS.md');
    writeFileSync(resultsFile, replaceKafkaSection(existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '', renderKafkaSection(report)));
    log('wrote bench/results/kafka.json and the Kafka section of bench/RESULTS.md');
  }
  if (failed.flink !== undefined || failed.millrace !== undefined) throw new Error(`MR_ERR_BENCH_FAILED: ${Object.entries(failed).map(([s, r]) => `${s}: ${r}`).join('; ')}`);
}

/** Topics this run made (the input too, unless --keep-input) and the broker if it was started here. */
async function cleanUp(): Promise<void> {
  if (bootstrap !== '') {
    const topics = [...createdTopics, ...deletedTopics];
    for (const topic of createdTopics) await deleteTopic(bootstrap, topic).catch((e: unknown) => log(`could not delete ${topic}: ${(e as Error).message}`));
    createdTopics.clear();
    // the broker removes a deleted topic's files a little later: wait for that before stopping it
    const left = await waitForTopicFilesGone(kafkaPaths().dataDir, topics, 60_000);
    if (left.length > 0) log(`the broker still holds files of deleted topics after 60 s: ${left.slice(0, 5).join(', ')}${left.length > 5 ? ', ...' : ''}`);
  }
  if (brokerStartedHere) {
    brokerStartedHere = false;
    await downKafka({ owner: 'bench:kafka' });
    log('stopped the broker this run started');
  }
}

onInterrupt(cleanUp);
// every process started is stopped on return, error, SIGINT, SIGTERM and SIGHUP (bench/lib/children.ts)
await runBench(async () => {
  try {
    await main();
  } finally {
    await cleanUp();
  }
}, () => rmSync(workDir, { recursive: true, force: true }));
