// The SQL editor's script (ui/editor/sql-editor.js with CodeMirror 6) as one file for the
// browser: bundled by esbuild (already the project's bundler, runtime/artifacts/bundle.ts) from
// the installed npm packages, in memory, the first time a page asks for it, then served from
// memory. No build step, no CDN: everything comes from node_modules on this machine.
import { fileURLToPath } from 'node:url';

let bundled: Promise<Buffer> | undefined;

/** The minified editor script (an IIFE); built once per process. */
export function sqlEditorScript(): Promise<Buffer> {
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    const out = await build({
      entryPoints: [fileURLToPath(new URL('./editor/sql-editor.js', import.meta.url))],
      bundle: true, format: 'iife', minify: true, write: false, target: 'es2020', platform: 'browser', legalComments: 'none', logLevel: 'silent',
    });
    return Buffer.from(out.outputFiles[0]!.contents);
  })().catch((err: unknown) => {
    bundled = undefined; // a failed build is tried again on the next request
    throw err;
  });
  return bundled;
}
