// `npm run crds:generate` writes crds/*.yaml; `npm run crds:check` fails (exit 1) when the
// committed files differ from what the schemas generate.
import { readdir, readFile, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderCrdFiles } from './crd-files.ts';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, dir: { type: 'string', default: 'crds' } } });
const dir = values.dir;
const wanted = renderCrdFiles();
const existing = (await readdir(dir)).filter((f) => f.endsWith('.yaml'));

if (values.check) {
  const stale: string[] = [];
  for (const [file, content] of wanted) {
    const current = await readFile(join(dir, file), 'utf8').catch(() => undefined);
    if (current !== content) stale.push(file);
  }
  for (const file of existing) if (!wanted.has(file)) stale.push(`${file} (no longer generated)`);
  if (stale.length) {
    console.error(`MR_ERR_CRDS_STALE: ${stale.join(', ')} differ from operator/api/v1alpha1; run \`npm run crds:generate\` and commit crds/`);
    process.exit(1);
  }
  console.log(`crds/ is up to date (${wanted.size} CRDs)`);
} else {
  for (const file of existing) if (!wanted.has(file)) await rm(join(dir, file));
  for (const [file, content] of wanted) await writeFile(join(dir, file), content);
  console.log(`wrote ${wanted.size} CRDs to ${dir}/`);
}
