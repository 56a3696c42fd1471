// The files of /etc/millrace reach the pods through their own annotations (a downward API
// volume), or through a ConfigMap when they are large: the same files either way.
import { deploymentSchema } from '../../api/v1alpha1/deployment.ts';
import { ANNOTATIONS_MAX_BYTES, configDelivery, configFileAnnotation, INLINE_FILES_MAX_BYTES } from './config-files.ts';
import { desiredDeploymentObjects } from './desired.ts';
import type { KubeObject } from '../../kube/rest-client.ts';

const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'orders', uid: 'u-1', controller: true, blockOwnerDeletion: true };
const deployment = (spec: Record<string, unknown>) => deploymentSchema.parse({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'orders', namespace: 'team-a' }, spec: { parallelism: 2, ...spec } });
type Volume = { name: string; configMap?: { name: string }; downwardAPI?: { items: Array<{ path: string; fieldRef: { fieldPath: string } }> } };
const configVolume = (pod: KubeObject) => (pod.spec as { volumes: Volume[] }).volumes.find((v) => v.name === 'config');

/** What the kubelet writes into the volume for this pod: file → text. */
function projected(pod: KubeObject): Record<string, string> {
  const v = configVolume(pod);
  return Object.fromEntries((v?.downwardAPI?.items ?? []).map((i) => {
    const key = /^metadata\.annotations\['([^']+)'\]$/.exec(i.fieldRef.fieldPath)?.[1] ?? '';
    return [i.path, pod.metadata.annotations?.[key] ?? '(missing)'];
  }));
}

describe('configuration files of the pods', () => {
  test('small: in every pod\'s annotations, projected as the same files; no ConfigMap', () => {
    const pipeline = 'source: { type: nexmark }\nsink: { type: blackhole }\n';
    const out = desiredDeploymentObjects(deployment({ source: { pipeline }, podTemplate: { annotations: { 'example.com/team': 'a' } } }), { defaultImage: 'millrace:dev', owner, restoreSavepointPath: 's3://b/sp-1/' });
    expect(out.config).toBeUndefined();
    expect(Object.keys(out.files).sort()).toEqual(['millrace.json', 'pipeline.yaml']);
    expect(JSON.parse(out.files['millrace.json'] ?? '{}').restore).toMatchObject({ strategy: 'savepoint', savepointPath: 's3://b/sp-1/' });
    expect(out.pods).toHaveLength(3);
    for (const pod of out.pods) {
      expect(projected(pod)).toEqual(out.files);
      expect(pod.metadata.annotations?.['example.com/team']).toBe('a');
      expect((pod.spec as { containers: Array<{ volumeMounts: unknown[] }> }).containers[0]?.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/millrace', readOnly: true });
    }
  });

  test('the annotation keys are valid Kubernetes keys under the reserved millrace.dev prefix', () => {
    for (const file of ['millrace.json', 'pipeline.yaml', 'job.sql']) expect(configFileAnnotation(file)).toMatch(/^millrace\.dev\/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
  });

  test(`files over ${INLINE_FILES_MAX_BYTES} bytes: a ConfigMap owned by the Deployment, mounted by every pod; the pods carry no copy`, () => {
    const sql = `-- ${'x'.repeat(INLINE_FILES_MAX_BYTES)}\nSELECT 1`;
    const out = desiredDeploymentObjects(deployment({ source: { sql } }), { defaultImage: 'millrace:dev', owner });
    expect(out.config).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'orders-config', namespace: 'team-a', ownerReferences: [owner] }, data: out.files });
    expect(out.files['job.sql']).toBe(sql);
    for (const pod of out.pods) {
      expect(configVolume(pod)).toEqual({ name: 'config', configMap: { name: 'orders-config' } });
      expect(JSON.stringify(pod)).not.toContain('xxxxxxxx');
    }
  });

  test(`podTemplate annotations that with the files would pass ${ANNOTATIONS_MAX_BYTES} bytes: a ConfigMap, the podTemplate's annotations kept`, () => {
    const big = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`example.com/a${i}`, 'v'.repeat(4000)]));
    const files = { 'millrace.json': '{}' };
    expect(configDelivery(files, 'orders-config', big)).toEqual({ annotations: big, volume: { name: 'config', configMap: { name: 'orders-config' } }, configMap: true });
    const fewer = Object.fromEntries(Object.entries(big).slice(0, 8));
    expect(configDelivery(files, 'orders-config', fewer)).toMatchObject({ annotations: { ...fewer, 'millrace.dev/config.millrace.json': '{}' }, configMap: false });
    expect(configDelivery(files, 'orders-config', undefined).annotations).toEqual({ 'millrace.dev/config.millrace.json': '{}' });
  });
});
