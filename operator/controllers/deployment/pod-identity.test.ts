import { deploymentSpecSchema } from '../../api/v1alpha1/deployment.ts';
import { resolvePodIdentity, workspacePods } from './pod-identity.ts';

const spec = (extra: Record<string, unknown>) => deploymentSpecSchema.parse({ source: { pipeline: 'p' }, ...extra });
const OPERATOR_IMAGE = 'registry.example/millrace:1.0';

describe('image and service account come from the Workspace', () => {
  test('without choices: the Workspace image, else the operator image; the namespace default account', () => {
    expect(resolvePodIdentity(spec({}), 'prod', workspacePods(undefined), OPERATOR_IMAGE)).toEqual({ image: OPERATOR_IMAGE, serviceAccountName: undefined });
    expect(resolvePodIdentity(spec({}), 'prod', workspacePods({ image: 'ws/img:2', serviceAccountName: 'millrace-runtime' }), OPERATOR_IMAGE))
      .toEqual({ image: 'ws/img:2', serviceAccountName: 'millrace-runtime' });
  });

  test('a Deployment may pick an image or account the Workspace lists', () => {
    const pods = workspacePods({ allowedImages: ['ws/canary:3'], allowedServiceAccountNames: ['reader'] });
    expect(resolvePodIdentity(spec({ image: 'ws/canary:3', podTemplate: { serviceAccountName: 'reader' } }), 'prod', pods, OPERATOR_IMAGE))
      .toEqual({ image: 'ws/canary:3', serviceAccountName: 'reader' });
    expect(resolvePodIdentity(spec({ image: OPERATOR_IMAGE }), 'prod', pods, OPERATOR_IMAGE)).toEqual({ image: OPERATOR_IMAGE, serviceAccountName: undefined });
  });

  test('anything else is refused with the field, the Workspace and the fix', () => {
    const pods = workspacePods({ allowedImages: ['ws/canary:3'] });
    expect(resolvePodIdentity(spec({ image: 'evil/img' }), 'prod', pods, OPERATOR_IMAGE)).toEqual({ problem: {
      reason: 'ImageNotAllowed',
      message: `spec.image: evil/img is not allowed by Workspace prod (spec.pods.image or spec.pods.allowedImages); remove spec.image to use ${OPERATOR_IMAGE}, or ask the cluster admin to allow it`,
    } });
    const sa = resolvePodIdentity(spec({ podTemplate: { serviceAccountName: 'cluster-admin-sa' } }), undefined, pods, OPERATOR_IMAGE);
    expect(sa).toMatchObject({ problem: { reason: 'ServiceAccountNotAllowed' } });
    expect('problem' in sa && sa.problem.message).toMatch(/^spec\.podTemplate\.serviceAccountName: cluster-admin-sa is not allowed by the Workspace \(none found/);
  });

  test('reserved podTemplate keys are refused even when the CRD did not catch them', () => {
    const r = resolvePodIdentity(spec({ podTemplate: { env: [{ name: 'NODE_OPTIONS', value: '--import=data:,' }] } }), 'prod', workspacePods({}), OPERATOR_IMAGE);
    expect(r).toEqual({ problem: { reason: 'PodTemplateNotAllowed', message: 'spec.podTemplate.env[0].name: NODE_OPTIONS is reserved; remove these fields and apply again' } });
  });
});
