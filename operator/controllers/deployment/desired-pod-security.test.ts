// What the pods of a Deployment are allowed to be: Pod Security `restricted`, probes, and only
// the podTemplate fields and identity the allowlist lets through.
import { deploymentSchema } from '../../api/v1alpha1/deployment.ts';
import { desiredDeploymentObjects } from './desired.ts';

const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'orders', uid: 'u-1', controller: true, blockOwnerDeletion: true };
const d = deploymentSchema.parse({
  apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'orders', namespace: 'team-a' },
  spec: {
    source: { pipeline: 'p' }, parallelism: 2, image: 'ignored/by-the-operator',
    podTemplate: {
      labels: { team: 'a' }, annotations: { note: 'n' }, nodeSelector: { disk: 'ssd' },
      tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
      affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
      serviceAccountName: 'ignored-too', env: [{ name: 'TZ', value: 'UTC' }],
    },
  },
});
interface Container { image: string; env: Array<{ name: string }>; securityContext: Record<string, unknown>; startupProbe: unknown; readinessProbe: unknown; livenessProbe: unknown }
interface PodSpec { serviceAccountName?: string; automountServiceAccountToken: boolean; securityContext: Record<string, unknown>; tolerations: unknown; affinity: unknown; nodeSelector: unknown; hostNetwork?: boolean; volumes: Array<Record<string, unknown>>; containers: Container[] }
const specs = (opts: Parameters<typeof desiredDeploymentObjects>[1]) => desiredDeploymentObjects(d, opts).pods.map((p) => p.spec as PodSpec);

describe('JobManager and TaskManager pods', () => {
  test('satisfy Pod Security restricted: non-root, RuntimeDefault seccomp, no capabilities, no escalation, only safe volumes', () => {
    for (const s of specs({ defaultImage: 'millrace:dev', owner })) {
      expect(s.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(s.automountServiceAccountToken).toBe(false);
      expect(s.hostNetwork).toBeUndefined();
      for (const c of s.containers) expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      for (const v of s.volumes) expect(Object.keys(v).filter((k) => k !== 'name')).toEqual([expect.stringMatching(/^(configMap|downwardAPI|emptyDir|secret)$/)]);
    }
  });

  test('have startup, readiness and liveness probes on their listening port', () => {
    const [jm, tm] = specs({ defaultImage: 'millrace:dev', owner });
    expect(jm?.containers[0]?.readinessProbe).toMatchObject({ tcpSocket: { port: 8081 } });
    expect(jm?.containers[0]?.livenessProbe).toMatchObject({ tcpSocket: { port: 8081 } });
    expect(tm?.containers[0]?.startupProbe).toMatchObject({ tcpSocket: { port: 6122 } });
    expect(tm?.containers[0]?.livenessProbe).toMatchObject({ tcpSocket: { port: 6122 } });
  });

  test('take image and service account only from the resolved identity, never from the spec', () => {
    const plain = specs({ defaultImage: 'millrace:dev', owner });
    expect(plain).toHaveLength(3);
    for (const s of plain) expect([s.containers[0]?.image, s.serviceAccountName]).toEqual(['millrace:dev', undefined]);
    const chosen = specs({ defaultImage: 'millrace:dev', owner, identity: { image: 'ws/img:2', serviceAccountName: 'runtime' } });
    for (const s of chosen) expect([s.containers[0]?.image, s.serviceAccountName]).toEqual(['ws/img:2', 'runtime']);
  });

  test('carry the allowed podTemplate fields', () => {
    const [jm] = specs({ defaultImage: 'millrace:dev', owner });
    expect(jm?.tolerations).toEqual([{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(jm?.affinity).toEqual({ podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } });
    expect(jm?.nodeSelector).toEqual({ disk: 'ssd' });
    expect(jm?.containers[0]?.env.at(-1)).toEqual({ name: 'TZ', value: 'UTC' });
  });
});
