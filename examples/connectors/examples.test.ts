// The connector examples as a user runs them: the partitioned Parquet SQL with `millrace sql -f`
// (rows read back by the connector's own source), the DataStream job and the pipeline run
// in-process to a temporary directory, and the Kafka SQL and the Deployments with spec.secrets
// checked the way the operator checks a Deployment (parse, plan; secrets listed and defined).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { deploymentSchema } from '../../operator/api/v1alpha1/deployment.ts';
import { referencedSecrets, unlistedSecrets } from '../../operator/controllers/deployment/secret-mounts.ts';
import { validateSqlSource } from '../../operator/controllers/deployment/sql-source.ts';
import { defineJob } from '../../runtime/api/environment.ts';
import { collectSink } from '../../runtime/connectors/collect-sink.ts';
import { createConnectorRegistry, type ChangelogRow } from '../../runtime/connectors/factory/index.ts';
import { executeLocally } from '../../runtime/local/local-executor.ts';
import { buildPipeline } from '../../runtime/pipeline/compile.ts';
import { parsePipeline } from '../../runtime/pipeline/parse.ts';
import { T } from '../../runtime/sql/types/data-type.ts';
import filesJob from './files-job.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../runtime/bin/millrace.ts', import.meta.url));
const DIR = import.meta.dirname;

test('the README lists every example file', () => {
  const readme = readFileSync(path.join(DIR, 'README.md'), 'utf8');
  for (const f of readdirSync(DIR).filter((f) => /\.(sql|yaml|ts)$/.test(f) && !f.endsWith('.test.ts'))) expect(readme).toContain(`\`${f}\``);
});

test('01: millrace sql -f writes partitioned Parquet with _SUCCESS per partition, every row once', async () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'millrace-ex-files-'));
  const { stdout } = await run(process.execPath, [BIN, 'sql', '-f', path.join(DIR, '01-files-partitioned.sql')], { cwd, timeout: 90_000, maxBuffer: 16 << 20 });
  expect(stdout).toContain('[INFO] 1 job finished.');
  const out = path.join(cwd, 'out/orders');
  expect(readdirSync(out).sort()).toEqual(['size_class=large', 'size_class=small']);
  for (const d of readdirSync(out)) expect(existsSync(path.join(out, d, '_SUCCESS'))).toBe(true);
  const rows: ChangelogRow[] = [];
  const source = createConnectorRegistry().createSource({
    name: 'orders_archive', partitionKeys: ['size_class'],
    columns: [{ name: 'id', type: T.bigint() }, { name: 'customer', type: T.string() }, { name: 'amount', type: T.int() }, { name: 'size_class', type: T.string() }],
    options: { connector: 'filesystem', path: out, format: 'parquet' },
  }).createSource();
  await executeLocally(defineJob({ name: 'read', build: (env) => env.fromSource(source).sinkTo(collectSink(rows)) }), { parallelism: 1 }).done;
  expect(rows.map((r) => r.values[0]).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  expect(rows.every((r) => r.values[3] === (Number(r.values[2]) >= 250 ? 'large' : 'small'))).toBe(true);
}, 100_000);

test('02: the Kafka changelog script passes the operator\'s check (parse, plan, connector options)', () => {
  expect(validateSqlSource(readFileSync(path.join(DIR, '02-kafka-changelog.sql'), 'utf8'))).toBeUndefined();
});

// The Deployment examples (kafka-to-postgres.yaml also runs on the node tier: test/e2e/kafka-to-postgres.test.ts).
const deploymentExamples = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && /^kind: Deployment$/m.test(readFileSync(path.join(DIR, f), 'utf8'))).sort();

test('the Deployment examples are the two directions between Kafka and PostgreSQL', () => {
  expect(deploymentExamples).toEqual(['kafka-to-postgres.yaml', 'postgres-cdc-to-kafka.yaml']);
});

test.each(deploymentExamples)('%s: a valid Deployment whose script passes the operator\'s check, whose every Secret reference (`${secret:<name>/<key>}`) names a key of a listed, job-labelled Secret the file defines', (file) => {
  type Doc = { kind: string; metadata: { name: string; labels?: Record<string, string> }; stringData?: Record<string, string> };
  const docs = parseAllDocuments(readFileSync(path.join(DIR, file), 'utf8')).map((d) => d.toJS() as Doc);
  const secrets = new Map(docs.filter((d) => d.kind === 'Secret').map((d) => [d.metadata.name, d]));
  const dep = deploymentSchema.parse({ ...docs.find((d) => d.kind === 'Deployment'), metadata: { name: 'example', namespace: 'team-a' } });
  const sql = dep.spec.source.sql!;
  expect(validateSqlSource(sql)).toBeUndefined();
  expect(unlistedSecrets(dep.spec)).toBeUndefined();
  expect(referencedSecrets(dep.spec).sort()).toEqual([...secrets.keys()].sort());
  expect([...dep.spec.secrets ?? []].sort()).toEqual([...secrets.keys()].sort());
  for (const s of secrets.values()) expect(s.metadata.labels?.['millrace.dev/job-secret']).toBe('true');
  const references = [...sql.matchAll(/\$\{secret:([^/}]+)\/([^}]+)\}/g)].map((m) => [m[1], m[2]] as const);
  expect(references.length).toBeGreaterThan(0);
  for (const [name, key] of references) expect({ name, key, defined: Object.keys(secrets.get(name!)?.stringData ?? {}).includes(key!) }).toEqual({ name, key, defined: true });
});

test('files-job.ts and files-pipeline.yaml run and commit their files', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'millrace-ex-ds-'));
  await executeLocally(filesJob, { parallelism: 2, params: { path: path.join(dir, 'job'), events: '2000' } }).done;
  const lines = readdirSync(path.join(dir, 'job')).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(path.join(dir, 'job', f), 'utf8').split('\n').filter((l) => l !== ''));
  expect(lines.length).toBeGreaterThan(1000);
  expect(Object.keys(JSON.parse(lines[0]!) as object)).toEqual(['auction', 'price']);

  const text = readFileSync(path.join(DIR, 'files-pipeline.yaml'), 'utf8').replace('path: /tmp/millrace-bids', `path: ${path.join(dir, 'pipeline')}`);
  const pipeline = parsePipeline(text);
  await executeLocally(defineJob({ name: pipeline.name ?? 'pipeline', build: (env) => buildPipeline(env, pipeline) }), { parallelism: 1 }).done;
  const rows = readdirSync(path.join(dir, 'pipeline')).filter((f) => !f.startsWith('.')).flatMap((f) => readFileSync(path.join(dir, 'pipeline', f), 'utf8').split('\n').filter((l) => l !== ''));
  expect(rows.length).toBe(lines.length * 10); // the same bid share of 20,000 events as of 2,000
}, 100_000);
