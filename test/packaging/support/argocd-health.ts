// Runs Argo CD health checks (Lua) in the VM Argo CD uses, gopher-lua, through the small Go
// program in ../argocd-health/ (built from the Go module proxy on first use and cached under
// <cache>/argocd-health/<gopher-lua version>-<hash of its sources>/).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../cluster/kube/commands.ts';
import { cacheRoot } from '../../cluster/kube/layout.ts';
import { HEALTH_SOURCE_DIR, healthChecks } from '../../../charts/argocd-health.ts';

const SOURCE_DIR = new URL('../argocd-health/', import.meta.url).pathname;

export interface HealthStatus {
  status?: string;
  message?: string;
  error?: string;
}

let binaryPath: Promise<string> | undefined;

export function ensureHealthEvaluator(): Promise<string> {
  binaryPath ??= (async () => {
    const hash = createHash('sha256');
    for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(await readFile(join(SOURCE_DIR, file)));
    const goMod = await readFile(join(SOURCE_DIR, 'go.mod'), 'utf8');
    const luaVersion = /github\.com\/yuin\/gopher-lua (\S+)/.exec(goMod)?.[1] ?? 'unknown';
    const dir = join(cacheRoot(), 'argocd-health', `${luaVersion}-${hash.digest('hex').slice(0, 12)}`);
    const binary = join(dir, 'argocd-health');
    if (!existsSync(binary)) {
      await mkdir(dir, { recursive: true });
      const env = { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH ?? ''}`, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false -mod=readonly', GOTOOLCHAIN: 'local' };
      await run('go', ['build', '-trimpath', '-o', `${binary}.${process.pid}.tmp`, '.'], { cwd: SOURCE_DIR, env });
      await rename(`${binary}.${process.pid}.tmp`, binary);
    }
    return binary;
  })();
  return binaryPath;
}

/**
 * The Lua health check of each kind as `npm run chart:sync` composes it into the chart (prelude +
 * the kind's body), by kind; the argocd-cm patch test proves the chart holds exactly these.
 */
export function healthScripts(): Promise<Map<string, string>> {
  return healthChecks();
}

/** Evaluates each object with the health check of its kind, in one run of the evaluator. */
export async function evaluateHealth(objects: ReadonlyArray<{ kind: string }>): Promise<HealthStatus[]> {
  const scripts = await healthScripts();
  const cases = objects.map((object) => {
    const script = scripts.get(object.kind);
    if (!script) throw new Error(`MR_ERR_ARGOCD_HEALTH_MISSING: no Argo CD health check for kind ${object.kind} in ${HEALTH_SOURCE_DIR}; add ${object.kind}.lua there`);
    return { script, object };
  });
  return evaluateScripts(cases);
}

/** Evaluates each script on its object, in one run of the evaluator. */
export async function evaluateScripts(cases: ReadonlyArray<{ script: string; object: unknown }>): Promise<HealthStatus[]> {
  const out = await run(await ensureHealthEvaluator(), [], { input: JSON.stringify({ cases }) });
  return JSON.parse(out) as HealthStatus[];
}
