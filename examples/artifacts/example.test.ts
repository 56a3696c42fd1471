// The example Deployment is valid for the API and means what its README says: the artifact
// word-lengths.mjs of team-a, its `shouted` export, and the words of its args.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { deploymentSchema } from '../../operator/api/v1alpha1/deployment.ts';
import { planArtifact } from '../../operator/controllers/deployment/artifact-resolution.ts';
import { specHash } from '../../operator/controllers/deployment/desired.ts';

test('examples/artifacts/deployment.yaml runs word-lengths.mjs of team-a by its shouted export with the words of its args', async () => {
  const d = deploymentSchema.parse(parse(await readFile(new URL('deployment.yaml', import.meta.url), 'utf8')));
  const readme = await readFile(new URL('README.md', import.meta.url), 'utf8');
  expect(readme).toContain(`npx millrace bundle examples/artifacts/word-lengths.ts -o ${d.spec.source.artifact?.uri}`);
  expect(planArtifact({ spec: d.spec, namespace: 'team-a', specHash: specHash(d.spec), previous: undefined, scope: { bucket: 'millrace-analytics', prefix: '', namespace: 'team-a' } })).toEqual({
    kind: 'resolve', bucket: 'millrace-analytics', key: 'artifacts/namespaces/team-a/word-lengths.mjs', params: [['words', 'streams from the bucket'], ['prefix', 'words']],
  });
  expect(d.spec.source.artifact?.entry).toBe('shouted');
  const job = await import('./word-lengths.ts');
  expect(typeof job.shouted.build).toBe('function');
});
