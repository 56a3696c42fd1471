// The numbered examples in examples/kubernetes/ are valid for the real API server: each file,
// in order, passes `kubectl apply --dry-run=server` (schemas, CEL rules, defaults) with the
// real kubectl. Applying them for real, with an operator, is in helm-install.test.ts.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { run, tryRun } from '../cluster/kube/commands.ts';
import { kubeBinary } from '../cluster/kube/layout.ts';
import { useOperatorCluster } from '../operator/support/harness.ts';
import { EXAMPLES_DIR, localize, readExamples } from './support/examples.ts';
import type { ExampleFile, ExampleObject } from './support/examples.ts';

const suffix = randomBytes(3).toString('hex');
const secretNamespace = `pkg-examples-${suffix}`;
let kubeconfig = '';
let files: ExampleFile[] = [];

const kubectlBinary = () => (process.env.KUBECONFIG ? 'kubectl' : kubeBinary('kubectl'));
const kubectl = (args: string[], input?: string) => tryRun(kubectlBinary(), ['--kubeconfig', kubeconfig, ...args], { input });
const yamlOf = (objects: ExampleObject[]) => objects.map((o) => stringify(o)).join('---\n');

beforeAll(async () => {
  ({ kubeconfigPath: kubeconfig } = await useOperatorCluster());
  files = localize(await readExamples(), { suffix, secretNamespace });
  // No operator runs here to make the Kubernetes namespace of the example Namespace: make it,
  // so the namespaced examples can be checked by the server.
  const exampleNamespace = files.flatMap((f) => f.objects).find((o) => o.kind === 'Namespace')?.metadata.name ?? '';
  for (const ns of [secretNamespace, exampleNamespace]) await run(kubectlBinary(), ['--kubeconfig', kubeconfig, 'create', 'namespace', ns]);
}, 10 * 60_000);

afterAll(async () => {
  const exampleNamespace = files.flatMap((f) => f.objects).find((o) => o.kind === 'Namespace')?.metadata.name;
  if (kubeconfig) for (const ns of [secretNamespace, exampleNamespace]) if (ns) await kubectl(['delete', 'namespace', ns, '--wait=false']);
});

test('the examples are numbered 01 to 05: workspace, namespace, queue, deployment, savepoint; no keys in files', async () => {
  expect((await readExamples()).map((f) => [f.file, f.objects.map((o) => o.kind)])).toEqual([
    ['01-workspace.yaml', ['Workspace']],
    ['02-namespace.yaml', ['Namespace']],
    ['03-queue.yaml', ['Queue']],
    ['04-deployment.yaml', ['Deployment']],
    ['05-savepoint.yaml', ['Savepoint']],
  ]);
  // Applied here with the Secret README.md makes by command first.
  expect(files.map((f) => [f.file, f.objects.map((o) => o.kind)])).toEqual([
    ['01-workspace.yaml', ['Secret', 'Workspace']],
    ['02-namespace.yaml', ['Namespace']],
    ['03-queue.yaml', ['Queue']],
    ['04-deployment.yaml', ['Deployment']],
    ['05-savepoint.yaml', ['Savepoint']],
  ]);
});

test('each file in order passes kubectl apply --dry-run=server', async () => {
  for (const { file, objects } of files) {
    const result = await kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], yamlOf(objects));
    expect({ file, code: result.code, stderr: result.stderr }).toEqual({ file, code: 0, stderr: '' });
    const out = JSON.parse(result.stdout) as { kind: string; items?: ExampleObject[] } & ExampleObject;
    const returned = out.kind === 'List' ? out.items ?? [] : [out];
    expect(returned.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`));
  }
}, 120_000);

test('the server checks them: a broken copy of an example is refused with the field named', async () => {
  const queue = structuredClone(files.find((f) => f.file === '03-queue.yaml')?.objects[0]) as ExampleObject;
  queue.spec = { cu: 0.3 };
  const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], yamlOf([queue]));
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain('compute units come in steps of 0.25');
}, 60_000);

test('the deployment fits its queue, and its job ships in the image', async () => {
  const objects = files.flatMap((f) => f.objects);
  const queue = objects.find((o) => o.kind === 'Queue') as ExampleObject & { spec: { cu: number } };
  const deployment = objects.find((o) => o.kind === 'Deployment') as ExampleObject & {
    spec: { queue: string; parallelism: number; jobManager: { cu: number }; taskManager: { cu: number; slots: number }; source: { artifact: { uri: string } } };
  };
  expect(deployment.spec.queue).toBe(queue.metadata.name);
  const s = deployment.spec;
  expect(s.jobManager.cu + Math.ceil(s.parallelism / s.taskManager.slots) * s.taskManager.cu).toBeLessThanOrEqual(queue.spec.cu);
  // file:///opt/millrace/<path> in the image is <path> in the repository, and the build context lets it in.
  const inRepo = s.source.artifact.uri.replace('file:///opt/millrace/', new URL('../../', import.meta.url).pathname);
  expect(existsSync(inRepo)).toBe(true);
  expect(inRepo.startsWith(EXAMPLES_DIR)).toBe(true);
  expect((await readFile(new URL('../../.dockerignore', import.meta.url), 'utf8')).split('\n')).toContain('!examples/');
  expect(await readFile(new URL('../../Dockerfile', import.meta.url), 'utf8')).toMatch(/^COPY examples \.\/examples$/m);
});
