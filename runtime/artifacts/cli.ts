// `millrace bundle` and `millrace artifacts upload|list|download|delete` (see console-client.ts
// for the console address, token and namespace).
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RuntimeError } from '../errors/runtime-error.ts';
import { bundleJob } from './bundle.ts';
import { consoleFetch, consoleTarget, enc, encPath } from './console-client.ts';
import type { ArtifactInfo } from './artifact-store.ts';
import { isUdfModuleFile } from '../sql/udf/udf-types.ts';

export const ARTIFACTS_USAGE = `  millrace bundle <job.ts> [-o job.mjs] [--minify]
               (one self-contained ES module of the job and its npm dependencies, ready to upload)
  millrace artifacts upload <file> [--name NAME] [--kind artifacts|sql-artifacts]
               (a .js/.mjs/.ts module uploaded as sql-artifacts also gets <name>.types.json: the
                types of its SQL functions, which the operator checks a SQL Deployment with)
  millrace artifacts list [--kind artifacts|sql-artifacts] [--json]
  millrace artifacts download <name> [-o FILE] [--kind ...]
  millrace artifacts delete <name> [--kind ...]
               (all: -n NAMESPACE, --console URL, --token-file FILE; or MILLRACE_NAMESPACE,
                MILLRACE_CONSOLE_URL, MILLRACE_TOKEN / MILLRACE_TOKEN_FILE)`;

export interface Io { out: (s: string) => void; env: Record<string, string | undefined> }
const defaultIo: Io = { out: (s) => void process.stdout.write(s), env: process.env };

const CONSOLE_OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  console: { type: 'string' },
  'token-file': { type: 'string' },
  kind: { type: 'string' },
  name: { type: 'string' },
  output: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
  minify: { type: 'boolean' },
} as const;

/** The types file of a SQL function module (loads the user's module, here on their machine). */
async function describeTypes(file: string, name: string, sha256: string): Promise<{ name: string; text: string; functions: string[] }> {
  const { describeUdfModule } = await import('../sql/udf/udf-loader.ts');
  const { formatModuleTypes, typesFileOf } = await import('../sql/udf/udf-types.ts');
  const types = describeUdfModule(file);
  if (types.module.sha256 !== sha256) cliError(`${file} changed while it was being uploaded; upload it again`);
  return { name: typesFileOf(name), text: formatModuleTypes(types), functions: Object.keys(types.functions) };
}

function cliError(message: string): never {
  throw new RuntimeError('MR_ERR_CLI', message);
}

export async function runBundleCommand(args: string[], io: Io = defaultIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: CONSOLE_OPTIONS });
  const entry = positionals[0] ?? cliError('bundle needs the job module: millrace bundle job.ts');
  const r = await bundleJob(entry, values.output, { minify: values.minify === true });
  io.out(`wrote ${r.file} (${r.bytes} bytes, sha256 ${r.sha256})\nupload it: npx millrace artifacts upload ${r.file} -n <namespace>\n`);
  return 0;
}

export async function runArtifactsCommand(args: string[], io: Io = defaultIo): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: CONSOLE_OPTIONS });
  const kind = values.kind ?? 'artifacts';
  if (kind !== 'artifacts' && kind !== 'sql-artifacts') cliError(`--kind ${kind} is not valid: use artifacts or sql-artifacts`);
  const q = kind === 'artifacts' ? '' : `?kind=${kind}`;
  if (!['upload', 'list', 'download', 'delete'].includes(sub ?? '')) cliError(`artifacts needs a command: upload, list, download or delete (got '${sub ?? ''}')`);
  const t = consoleTarget(values, io.env);
  const base = `/api/namespaces/${enc(t.namespace)}/artifacts`;
  if (sub === 'list') {
    const { items, bucket } = (await (await consoleFetch(t, `${base}${q}`)).json()) as { items: ArtifactInfo[]; bucket: string };
    if (values.json) { io.out(`${JSON.stringify(items, null, 2)}\n`); return 0; }
    if (items.length === 0) { io.out(`no ${kind} in namespace ${t.namespace} (bucket ${bucket})\n`); return 0; }
    const rows = [['NAME', 'SIZE', 'MODIFIED', 'SHA256'], ...items.map((a) => [a.name, String(a.size), a.lastModified ?? '', a.sha256 ?? ''])];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) io.out(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
    return 0;
  }
  const first = positionals[0] ?? cliError(`artifacts ${sub} needs ${sub === 'upload' ? 'a file' : 'an artifact name'}`);
  if (sub === 'upload') {
    const body = await readFile(first);
    const name = values.name ?? path.basename(first);
    const sha256 = createHash('sha256').update(body).digest('hex');
    // A SQL function module gets its types file, made here on the user's machine from the module
    // itself (the operator checks a script with it and never runs the module): udf/udf-types.ts.
    const types = kind === 'sql-artifacts' && isUdfModuleFile(name) ? await describeTypes(first, name, sha256) : undefined;
    const res = await consoleFetch(t, `${base}/${encPath(name)}${q}`, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream', 'x-millrace-sha256': sha256 } });
    const info = (await res.json()) as ArtifactInfo;
    io.out(`uploaded ${info.name} (${info.size} bytes)\n  uri:    ${info.uri}\n  sha256: ${info.sha256 ?? sha256}\n`);
    if (types) {
      const typesBody = Buffer.from(types.text);
      await consoleFetch(t, `${base}/${encPath(types.name)}${q}`, { method: 'PUT', body: typesBody, headers: { 'content-type': 'application/octet-stream', 'x-millrace-sha256': createHash('sha256').update(typesBody).digest('hex') } });
      io.out(`uploaded ${types.name} (its functions' types for the operator's check: ${types.functions.join(', ') || 'none'})\nuse it: CREATE FUNCTION f AS '${name}#<export>' LANGUAGE JAVASCRIPT\n`);
    } else {
      io.out(`run it: spec.source.artifact.uri: ${info.name}   (optionally sha256: ${info.sha256 ?? sha256})\n`);
    }
    return 0;
  }
  if (sub === 'download') {
    const res = await consoleFetch(t, `${base}/${encPath(first)}${q}`, { headers: { accept: 'application/octet-stream' } });
    const bytes = Buffer.from(await res.arrayBuffer());
    const expected = res.headers.get('x-millrace-sha256');
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (expected && expected !== actual) throw new RuntimeError('MR_ERR_JOB_DIGEST_MISMATCH', `downloaded ${first} has sha256 ${actual}, not the ${expected} recorded at upload; download again`);
    const out = values.output ?? path.basename(first);
    await writeFile(out, bytes);
    io.out(`wrote ${out} (${bytes.byteLength} bytes, sha256 ${actual})\n`);
    return 0;
  }
  await consoleFetch(t, `${base}/${encPath(first)}${q}`, { method: 'DELETE' });
  io.out(`deleted ${first} from namespace ${t.namespace}\n`);
  return 0;
}
