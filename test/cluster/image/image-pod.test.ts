// End to end on the node tier: the project image, imported into containerd by image:build, runs
// as a pod with a restricted security context (non-root, read-only root, no capabilities) and
// writes a checkpoint-like object with the AWS SDK v3 to the S3 server on the host address.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { stringify } from 'yaml';
import { useNode } from '../environment.ts';
import { run } from '../kube/commands.ts';
import { kubeBinary } from '../kube/layout.ts';
import { s3Client } from '../s3/bucket.ts';
import { useS3 } from '../s3/environment.ts';
import type { S3Connection } from '../s3/environment.ts';
import { buildImage } from './build-image.ts';
import { imagePaths, projectImage } from './config.ts';
import { containerdAddress, importIntoContainerd } from './containerd.ts';

const namespace = `image-test-${randomBytes(3).toString('hex')}`;
let kubeconfigPath = '';
let s3: S3Connection;

const kubectlBinary = () => (process.env.KUBECONFIG ? 'kubectl' : kubeBinary('kubectl'));
const kubectl = (args: string[], input?: string) => run(kubectlBinary(), ['--kubeconfig', kubeconfigPath, '-n', namespace, ...args], { input });

beforeAll(async () => {
  const node = await useNode();
  kubeconfigPath = node.kubeconfigPath;
  s3 = await useS3({ hostAddress: node.hostAddress });
  // The node tier may have started after the last image:build: hand containerd the archive.
  if (!process.env.KUBECONFIG) {
    const paths = imagePaths();
    if (existsSync(paths.archive)) await importIntoContainerd(containerdAddress(), paths.archive, projectImage.ref);
    else await buildImage({ importMode: 'always', log: (line) => process.stderr.write(`[image] ${line}\n`) });
  }
  await run(kubectlBinary(), ['--kubeconfig', kubeconfigPath, 'create', 'namespace', namespace]);
}, 1_800_000);

afterAll(async () => {
  if (kubeconfigPath) await run(kubectlBinary(), ['--kubeconfig', kubeconfigPath, 'delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
});

test('a pod of the project image writes to the S3 server through the host address', async () => {
  const key = `flink-jobs/${namespace}/chk-1/_metadata`;
  const script = [
    "import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';",
    'const client = new S3Client({ forcePathStyle: true });',
    `await client.send(new PutObjectCommand({ Bucket: process.env.MILLRACE_S3_BUCKET, Key: ${JSON.stringify(key)}, Body: 'written by ' + process.getuid() }));`,
    "console.log('stored');",
  ].join('\n');
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's3' },
    stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
  };
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'writer' },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsNonRoot: true },
      containers: [{
        name: 'main',
        image: projectImage.ref,
        imagePullPolicy: 'Never',
        command: ['/usr/bin/tini', '--', '/usr/local/bin/node', '--input-type=module', '-e', script],
        env: [
          { name: 'AWS_ENDPOINT_URL', value: s3.endpoint },
          { name: 'AWS_REGION', value: s3.region },
          { name: 'MILLRACE_S3_BUCKET', value: s3.bucket },
        ],
        envFrom: [{ secretRef: { name: 's3' } }],
        securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      }],
    },
  };
  await kubectl(['apply', '-f', '-'], `${stringify(secret)}---\n${stringify(pod)}`);
  await kubectl(['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/writer', '--timeout=120s']);
  expect(await kubectl(['logs', 'writer'])).toBe('stored\n');

  const client = s3Client(s3);
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    expect(await object.Body?.transformToString()).toBe(`written by ${projectImage.uid}`);
  } finally {
    client.destroy();
  }
}, 300_000);
