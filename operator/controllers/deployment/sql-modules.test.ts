// The operator's side of SQL function modules (pure): which modules a script needs and where, only
// in the Deployment's own namespace; what a missing, untyped or stale module says; the pins in
// status and in both pods' environment; the script checked with the declared types only.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describeUdfModule } from '../../../runtime/sql/udf/udf-loader.ts';
import { deploymentSchema } from '../../api/v1alpha1/deployment.ts';
import type { DeploymentStatus } from '../../api/v1alpha1/deployment.ts';
import { formatModuleTypes } from '../../../runtime/sql/udf/udf-types.ts';
import type { ModuleTypes } from '../../../runtime/sql/udf/udf-types.ts';
import { decideDeployment } from './decide.ts';
import { desiredDeploymentObjects, specHash } from './desired.ts';
import { completeSqlModules, planSqlModules } from './sql-modules.ts';
import type { ModuleRead, SqlModulesPlan } from './sql-modules.ts';
import { validateSource } from './validate.ts';

const MODULE_SHA = createHash('sha256').update('module bytes').digest('hex');
const scope = { bucket: 'ws', prefix: 'team/', namespace: 'team-a' };
const DIR = 'team/sql-artifacts/namespaces/team-a/';
const SQL = (module: string) => `CREATE TABLE t (id BIGINT) WITH ('connector' = 'datagen');
CREATE TABLE o (id BIGINT, v BIGINT) WITH ('connector' = 'blackhole');
CREATE FUNCTION tenfold AS '${module}#tenfold' LANGUAGE JAVASCRIPT;
INSERT INTO o SELECT id, tenfold(id) FROM t;`;
const deployment = (sql: string, state = 'running') => deploymentSchema.parse({
  apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'udf', namespace: 'team-a' },
  spec: { source: { sql }, state, parallelism: 1, jobManager: { cu: 0.25 }, taskManager: { cu: 0.5, slots: 1 } },
});
const plan = (sql: string, previous?: DeploymentStatus, s: typeof scope | null = scope, state = 'running') => {
  const d = deployment(sql, state);
  return planSqlModules({ script: sql, field: 'spec.source.sql', spec: d.spec, namespace: 'team-a', specHash: specHash(d.spec), previous, scope: s ?? undefined });
};
const types = (functions: ModuleTypes['functions'], sha256 = MODULE_SHA): string => formatModuleTypes({ format: 'millrace.sql-udf-types/v1', module: { sha256 }, functions });
const resolve = (p: SqlModulesPlan) => { if (p.kind !== 'resolve') throw new Error(`expected resolve, got ${p.kind}`); return p; };
const complete = (sql: string, reads: ModuleRead[]) => {
  const d = deployment(sql);
  return completeSqlModules({ field: 'spec.source.sql', namespace: 'team-a', specHash: specHash(d.spec) }, resolve(plan(sql)).modules, reads, '2026-12-07T13:00:00.000Z');
};

describe('SQL function modules of a Deployment', () => {
  test('a relative module path is a file of the namespace\'s sql-artifacts folder; an s3:// URI must point there; another namespace\'s folder, another bucket or a path out of the folder is refused naming the function, its line and the fix', () => {
    expect(resolve(plan(SQL('udf/fns.mjs'))).modules).toEqual([{ module: 'udf/fns.mjs', bucket: 'ws', key: `${DIR}udf/fns.mjs`, functions: [expect.objectContaining({ name: 'tenfold', exportName: 'tenfold', line: 3, column: 1 })] }]);
    expect(resolve(plan(SQL(`s3://ws/${DIR}fns.mjs`))).modules[0]).toMatchObject({ key: `${DIR}fns.mjs` });
    const foreign = plan(SQL('s3://ws/team/sql-artifacts/namespaces/team-b/fns.mjs'));
    expect(foreign).toEqual({ kind: 'problem', problem: { reason: 'SqlModuleNotAllowed', message: expect.stringMatching(/^spec\.source\.sql: line 3, column 1: function 'tenfold' \('s3:\/\/ws\/team\/sql-artifacts\/namespaces\/team-b\/fns\.mjs#tenfold'\): s3:\/\/ws\/team\/sql-artifacts\/namespaces\/team-b\/fns\.mjs is outside the namespace's sql-artifacts folder; a Deployment loads function modules only from its own namespace's s3:\/\/ws\/team\/sql-artifacts\/namespaces\/team-a\/ .*npx millrace artifacts upload --kind sql-artifacts/) } });
    expect(plan(SQL(`s3://other/${DIR}fns.mjs`))).toMatchObject({ kind: 'problem', problem: { reason: 'SqlModuleNotAllowed', message: expect.stringContaining('is not in the workspace bucket ws') } });
    expect(plan(SQL('../team-b/fns.mjs'))).toMatchObject({ kind: 'problem', problem: { reason: 'SqlModuleNotAllowed', message: expect.stringContaining("leaves the namespace's sql-artifacts folder") } });
    expect(plan(SQL(`s3://ws/team/artifacts/namespaces/team-a/fns.mjs`))).toMatchObject({ kind: 'problem', problem: { message: expect.stringContaining("is outside the namespace's sql-artifacts folder") } });
    expect(plan(SQL('udf/fns.mjs'), undefined, null)).toMatchObject({ kind: 'problem', problem: { reason: 'SqlModuleStorageUnavailable' } });
    // no JAVASCRIPT function, or a script that does not parse (the SQL check reports it): nothing to resolve
    expect(plan("CREATE TABLE t (id BIGINT) WITH ('connector' = 'datagen');")).toEqual({ kind: 'none' });
    expect(plan('CREATE TABEL x')).toEqual({ kind: 'none' });
  });

  test('a missing module, a missing, invalid or stale types file fail naming the function and the upload that fixes them', () => {
    const sql = SQL('udf/fns.mjs');
    const ok = { digest: { sha256: MODULE_SHA, size: 120 }, typesText: types({ tenfold: { kind: 'scalar', result: 'BIGINT' } }) };
    expect(complete(sql, [{ digest: undefined, typesText: undefined }]).problem).toEqual({ reason: 'SqlModuleNotFound', message: `spec.source.sql: line 3, column 1: function 'tenfold' ('udf/fns.mjs#tenfold'): its module udf/fns.mjs does not exist (s3://ws/${DIR}udf/fns.mjs); upload it with npx millrace artifacts upload --kind sql-artifacts --name udf/fns.mjs <file> -n team-a; the Deployment starts once it is there (looked at again every 15 s)` });
    expect(complete(sql, [{ ...ok, typesText: undefined }]).problem).toMatchObject({ reason: 'SqlModuleTypesMissing', message: expect.stringContaining('has no types file (s3://ws/team/sql-artifacts/namespaces/team-a/udf/fns.mjs.types.json), and the operator never runs a module to learn its types') });
    expect(complete(sql, [{ ...ok, typesText: '{' }]).problem).toMatchObject({ reason: 'SqlModuleTypesInvalid', message: expect.stringContaining('is not valid (it is not JSON') });
    expect(complete(sql, [{ ...ok, typesText: types({}, 'b'.repeat(64)) }]).problem).toMatchObject({ reason: 'SqlModuleTypesInvalid', message: expect.stringContaining('was written for another version of the module (sha256 bbbbbbbbbbbb…') });
    expect(complete(sql, [{ ...ok, digest: { sha256: '', size: 1e9, tooLarge: true } }]).problem).toMatchObject({ reason: 'SqlModuleTooLarge' });
  });

  test('a resolved module is pinned in status and in both pods\' environment, the script is checked with its declared types, and a running job reuses the pins without reading the bucket', () => {
    const sql = SQL('udf/fns.mjs');
    const d = deployment(sql);
    const r = complete(sql, [{ digest: { sha256: MODULE_SHA, size: 120 }, typesText: types({ tenfold: { kind: 'scalar', result: 'BIGINT' }, unused: { kind: 'table', result: 'STRING' } }) }]);
    expect(r.problem).toBeUndefined();
    expect(r.status).toEqual({ specHash: specHash(d.spec), resolvedAt: '2026-12-07T13:00:00.000Z', modules: [{ module: 'udf/fns.mjs', location: `s3://ws/${DIR}udf/fns.mjs`, sha256: MODULE_SHA, size: 120, functions: [{ export: 'tenfold', kind: 'scalar', result: 'BIGINT' }] }] });
    expect(deploymentSchema.shape.status.unwrap().shape.sqlModules.parse(r.status)).toEqual(r.status);
    expect(validateSource(d.spec.source, {}, r.declared)).toBeUndefined();
    // without the declared types (no module resolved) the call cannot be checked
    expect(validateSource(d.spec.source)?.message).toMatch(/^spec\.source\.sql: line 4, column 26: function 'tenfold' \('udf\/fns\.mjs#tenfold'\): module 'udf\/fns\.mjs' has no declared types|was not pinned/);
    // a declared type that does not fit the sink is the script's error, with line and column
    const wrong = complete(sql, [{ digest: { sha256: MODULE_SHA, size: 120 }, typesText: types({ tenfold: { kind: 'scalar', result: 'STRING' } }) }]);
    expect(validateSource(d.spec.source, {}, wrong.declared)).toMatchObject({ reason: 'InvalidSql', message: expect.stringMatching(/^spec\.source\.sql: line 4, column 15: Column types of query result and sink .* Incompatible types for sink column 'v'/s) });

    const out = desiredDeploymentObjects(d, { defaultImage: 'millrace:dev', owner: { apiVersion: 'v1', kind: 'Deployment', name: 'udf', uid: 'u', controller: true, blockOwnerDeletion: true }, sqlModules: r.pins });
    expect(out.pods).toHaveLength(2);
    for (const pod of out.pods) {
      const env = (pod.spec as { containers: Array<{ env: Array<{ name: string; value?: string }> }> }).containers[0]!.env;
      expect(JSON.parse(env.find((e) => e.name === 'MILLRACE_SQL_MODULES')!.value!)).toEqual({ 'udf/fns.mjs': `s3://ws/${DIR}udf/fns.mjs#sha256=${MODULE_SHA}` });
    }
    const running: DeploymentStatus = { phase: 'Running', sqlModules: r.status };
    const reuse = plan(sql, running);
    expect(reuse).toMatchObject({ kind: 'reuse', result: { pins: r.pins, status: r.status } });
    expect(reuse.kind === 'reuse' && validateSource(d.spec.source, {}, reuse.result.declared)).toBeUndefined();
    // a stopped job resolves again when it starts; a suspended one keeps its pins without reading
    expect(plan(sql, { phase: 'Failed', sqlModules: r.status }).kind).toBe('resolve');
    expect(plan(sql, { phase: 'Suspended', sqlModules: r.status }, scope, 'suspended').kind).toBe('reuse');
  });

  test('a Deployment Failed for a missing module starts once it is uploaded, without a spec change (looked at again every 15 s)', () => {
    const d = deployment(SQL('udf/fns.mjs'));
    const base = { spec: d.spec, generation: 1, desiredHash: specHash(d.spec), admission: { admitted: true as const }, observed: { pods: [] }, now: '2026-12-07T13:00:00.000Z' };
    const missing = complete(SQL('udf/fns.mjs'), [{ digest: undefined, typesText: undefined }]).problem!;
    const failed = decideDeployment({ ...base, previous: undefined, invalidSource: missing });
    expect(failed).toMatchObject({ phase: 'Failed', createPods: false, requeueAfterMs: 15_000 });
    const previous: DeploymentStatus = { observedGeneration: 1, phase: 'Failed', conditions: failed.conditions.map((c) => ({ ...c, lastTransitionTime: base.now, observedGeneration: 1 })) };
    expect(decideDeployment({ ...base, previous, invalidSource: missing })).toMatchObject({ phase: 'Failed', createPods: false, requeueAfterMs: 15_000 });
    expect(decideDeployment({ ...base, previous, now: '2026-12-07T13:00:15.000Z' })).toMatchObject({ phase: 'Starting', createPods: true });
  });

  test('examples/sql/deployment-udf.yaml passes the operator\'s check with the types file the CLI makes from examples/sql/udf/count-char.ts', () => {
    const d = deploymentSchema.parse(parse(readFileSync(path.join(import.meta.dirname, '../../../examples/sql/deployment-udf.yaml'), 'utf8')));
    const sql = d.spec.source.sql!;
    const p = resolve(planSqlModules({ script: sql, field: 'spec.source.sql', spec: d.spec, namespace: 'team-a', specHash: specHash(d.spec), previous: undefined, scope: { bucket: 'ws', prefix: '', namespace: 'team-a' } }));
    expect(p.modules.map((m) => m.key)).toEqual(['sql-artifacts/namespaces/team-a/udf/count-char.ts']);
    const types = describeUdfModule(path.join(import.meta.dirname, '../../../examples/sql/udf/count-char.ts'));
    const r = completeSqlModules({ field: 'spec.source.sql', namespace: 'team-a', specHash: specHash(d.spec) }, p.modules, [{ digest: { sha256: types.module.sha256, size: types.module.size ?? 0 }, typesText: formatModuleTypes(types) }], 'now');
    expect(r.status?.modules[0]?.functions).toEqual([{ export: 'count_char', kind: 'scalar', result: 'BIGINT NOT NULL' }]);
    expect(validateSource(d.spec.source, d.spec.configuration, r.declared)).toBeUndefined();
  });
});
