// The numbered examples of examples/kubernetes/, read in order and made safe to apply to a
// shared cluster: unique names, the S3 Secret in a namespace of the test's choosing, optionally
// a real S3 and the watch label of one operator instance.
import { readFile, readdir } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';

export const EXAMPLES_DIR = new URL('../../../examples/kubernetes/', import.meta.url).pathname;

export interface ExampleObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  stringData?: Record<string, string>;
}

export interface ExampleFile { file: string; objects: ExampleObject[] }

export async function readExamples(): Promise<ExampleFile[]> {
  const files = (await readdir(EXAMPLES_DIR)).filter((f) => /^\d\d-.*\.yaml$/.test(f)).sort();
  return Promise.all(files.map(async (file) => ({
    file,
    objects: parseAllDocuments(await readFile(`${EXAMPLES_DIR}${file}`, 'utf8')).map((d) => d.toJS() as ExampleObject),
  })));
}

export interface Localization {
  /** Appended to the Workspace, Namespace and Secret names. */
  suffix: string;
  /** Where the S3 Secret goes (the examples use millrace-system, the chart's usual namespace). */
  secretNamespace: string;
  s3?: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string; prefix: string };
  /** Labels for the Millrace objects (an operator's watch selector). */
  labels?: Record<string, string>;
}

/**
 * The examples as they would be applied here; names derived from the originals. The S3 Secret,
 * which README.md makes with `kubectl create secret` (keys stay out of files), comes first in
 * the Workspace's file.
 */
export function localize(files: ExampleFile[], l: Localization): ExampleFile[] {
  const originals = files.flatMap((f) => f.objects);
  const workspaceObject = originals.find((o) => o.kind === 'Workspace');
  const workspace = workspaceObject?.metadata.name ?? '';
  const namespace = originals.find((o) => o.kind === 'Namespace')?.metadata.name ?? '';
  const secretRef = (workspaceObject?.spec?.storage as { secretRef?: { name: string; namespace: string } } | undefined)?.secretRef;
  const secret = secretRef?.name ?? '';
  const secretObject: ExampleObject = {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: secret, namespace: secretRef?.namespace ?? '' },
    stringData: { AWS_ACCESS_KEY_ID: 'change-me', AWS_SECRET_ACCESS_KEY: 'change-me-too' },
  };
  const rename = (name: string) => `${name}-${l.suffix}`;
  return files.map(({ file, objects }) => ({
    file,
    objects: (objects.includes(workspaceObject as ExampleObject) ? [secretObject, ...objects] : objects).map((original) => {
      const o = structuredClone(original);
      const spec = o.spec ?? {};
      if (o.kind === 'Secret') {
        o.metadata = { ...o.metadata, name: rename(secret), namespace: l.secretNamespace };
        if (l.s3) o.stringData = { AWS_ACCESS_KEY_ID: l.s3.accessKeyId, AWS_SECRET_ACCESS_KEY: l.s3.secretAccessKey };
        return o;
      }
      if (o.kind === 'Workspace') {
        o.metadata.name = rename(workspace);
        const storage = spec.storage as Record<string, unknown>;
        storage.secretRef = { name: rename(secret), namespace: l.secretNamespace };
        if (l.s3) Object.assign(storage, { endpoint: l.s3.endpoint, bucket: l.s3.bucket, prefix: l.s3.prefix });
      }
      if (o.kind === 'Namespace') {
        o.metadata.name = rename(namespace);
        spec.workspace = rename(workspace);
      }
      if (o.metadata.namespace === namespace) o.metadata.namespace = rename(namespace);
      if (l.labels && o.apiVersion.startsWith('millrace.dev/')) o.metadata.labels = { ...o.metadata.labels, ...l.labels };
      return o;
    }),
  }));
}
