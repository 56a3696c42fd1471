// `millrace bundle job.ts`: one self-contained ES module of a job (its imports, the Millrace
// runtime API it uses and its npm dependencies), ready to upload as an artifact. esbuild does
// the work (type stripping, resolution, tree shaking); Node built-ins stay imports. A bundle
// that still needs something from outside (a native addon) is refused, since a pod has only
// the one file.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RuntimeError } from '../errors/runtime-error.ts';

export interface BundleResult {
  file: string;
  bytes: number;
  sha256: string;
}

export async function bundleJob(entry: string, outFile?: string, options: { minify?: boolean } = {}): Promise<BundleResult> {
  const { build } = await import('esbuild');
  const out = outFile ?? `${entry.replace(/\.[cm]?[jt]s$/, '')}.bundle.mjs`;
  let result;
  try {
    result = await build({
      entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', target: 'node24', write: false,
      minify: options.minify ?? false, sourcemap: false, logLevel: 'silent', legalComments: 'inline',
      // CommonJS dependencies that call require() on built-ins need a require in an ES module
      banner: { js: "import { createRequire as __millraceCreateRequire } from 'node:module'; const require = __millraceCreateRequire(import.meta.url);" },
      outfile: out,
    });
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors ?? [];
    const detail = errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text)).join('; ');
    throw new RuntimeError('MR_ERR_JOB_LOAD', `cannot bundle ${entry}: ${detail || (err as Error).message}`, { subject: entry, cause: err });
  }
  const js = result.outputFiles.find((f) => f.path.endsWith('.mjs') || f.path.endsWith('.js')) ?? result.outputFiles[0];
  if (!js) throw new RuntimeError('MR_ERR_JOB_LOAD', `bundling ${entry} produced no output`, { subject: entry });
  await writeFile(path.resolve(out), js.contents);
  return { file: out, bytes: js.contents.byteLength, sha256: createHash('sha256').update(js.contents).digest('hex') };
}
