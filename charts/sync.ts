// `npm run chart:sync` writes the derived files of charts/millrace (see chart-files.ts);
// `npm run chart:check` fails (exit 1) when a committed one differs from what it would write.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { CHART_DIR, renderChartFiles } from './chart-files.ts';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const wanted = await renderChartFiles();
// The CRDs are the one derived folder whose file set can shrink.
const existingCrds = (await readdir(join(CHART_DIR, 'crds')).catch(() => [])).map((f) => `crds/${f}`);

if (values.check) {
  const stale: string[] = [];
  for (const [file, content] of wanted) {
    if ((await readFile(join(CHART_DIR, file), 'utf8').catch(() => undefined)) !== content) stale.push(file);
  }
  for (const file of existingCrds) if (!wanted.has(file)) stale.push(`${file} (not in crds/)`);
  if (stale.length) {
    console.error(`MR_ERR_CHART_STALE: charts/millrace/{${stale.join(', ')}} differ from their sources; run \`npm run chart:sync\` and commit charts/`);
    process.exit(1);
  }
  console.log(`charts/millrace is in sync (${wanted.size} derived files)`);
} else {
  for (const file of existingCrds) if (!wanted.has(file)) await rm(join(CHART_DIR, file));
  for (const [file, content] of wanted) {
    await mkdir(dirname(join(CHART_DIR, file)), { recursive: true });
    await writeFile(join(CHART_DIR, file), content);
  }
  console.log(`wrote ${wanted.size} derived files to charts/millrace/`);
}
