// The operator's JobManager or TaskManager pod (operator/controllers/deployment/desired.ts) as a
// local process: the container's own args and env, with only what Kubernetes would provide
// translated — mounted volumes (ConfigMap, Secrets, scratch) to local directories, the image's
// /opt/millrace to this repository, the JobManager Service's DNS name and fixed ports to
// 127.0.0.1 and free ports, $(POD_IP) and the POD_IP fieldRef to 127.0.0.1. Every other setting
// (checkpoint interval and tolerance from the ConfigMap, restart strategy, S3 client defaults,
// the Deployment's key) is exactly what the operator gives a pod. Pure: the caller writes the files.
import type { KubeObject } from '../../../operator/kube/rest-client.ts';

interface EnvVar { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }
interface Container { args: string[]; env: EnvVar[]; volumeMounts: Array<{ name: string; mountPath: string }> }
interface Volume { name: string; configMap?: { name: string }; secret?: { secretName: string }; emptyDir?: unknown }

export interface PodLocalPlaces {
  /** Repository root: what the image holds at /opt/millrace. */
  readonly repoRoot: string;
  /** Local directory of each pod volume, by volume name. */
  readonly volumeDirs: Readonly<Record<string, string>>;
  /** `<service>.<namespace>.svc` of the Deployment's JobManager. */
  readonly jobManagerHost: string;
  /** Local ports of the JobManager's REST (8081 in the pod) and RPC (6123) ports. */
  readonly jobManagerRestPort: number;
  readonly jobManagerRpcPort: number;
}

export interface LocalProcess { readonly role: 'jobmanager' | 'taskmanager'; readonly args: string[]; readonly env: Record<string, string> }

const IMAGE_ROOT = '/opt/millrace';
const POD_REST_PORT = '8081';
const POD_RPC_PORT = '6123';
const POD_TASKMANAGER_PORT = '6122';

export function podAsLocalProcess(pod: KubeObject, places: PodLocalPlaces): LocalProcess {
  const spec = pod.spec as { containers: Container[]; volumes: Volume[] };
  const container = spec.containers[0];
  if (!container || spec.containers.length !== 1) throw new Error(`pod ${pod.metadata.name}: expected one container`);
  const mounts = [...container.volumeMounts].sort((a, b) => b.mountPath.length - a.mountPath.length);
  for (const m of mounts) if (!places.volumeDirs[m.name]) throw new Error(`pod ${pod.metadata.name}: no local directory for volume ${m.name} (${m.mountPath})`);
  const local = (s: string): string => {
    let out = s.replaceAll('$(POD_IP)', '127.0.0.1')
      .replaceAll(`${places.jobManagerHost}:${POD_REST_PORT}`, `127.0.0.1:${places.jobManagerRestPort}`)
      .replaceAll(`${places.jobManagerHost}:${POD_RPC_PORT}`, `127.0.0.1:${places.jobManagerRpcPort}`);
    // One mount per string, the longest that matches, replaced once (a local directory may lie
    // under another mount path, e.g. /tmp).
    for (const m of mounts) {
      if (out === m.mountPath || out.startsWith(`${m.mountPath}/`)) { out = places.volumeDirs[m.name] + out.slice(m.mountPath.length); break; }
      // a path inside a value (`--set pipeline=/etc/millrace/pipeline.yaml`)
      const inside = out.indexOf(`=${m.mountPath}/`);
      if (inside >= 0) { out = `${out.slice(0, inside + 1)}${places.volumeDirs[m.name]}${out.slice(inside + 1 + m.mountPath.length)}`; break; }
    }
    if (out === IMAGE_ROOT || out.startsWith(`${IMAGE_ROOT}/`)) out = places.repoRoot + out.slice(IMAGE_ROOT.length);
    return out;
  };
  const role = container.args[0] === 'jobmanager' ? 'jobmanager' : 'taskmanager';
  const args = container.args.map(local);
  // Ports and addresses the pod has to itself: loopback and free ports here.
  const flag = (name: string, value: string) => { const i = args.indexOf(name); if (i < 0) throw new Error(`pod ${pod.metadata.name}: no ${name} in ${container.args.join(' ')}`); args[i + 1] = value; };
  flag('--host', '127.0.0.1');
  if (role === 'jobmanager') flag('--port', String(places.jobManagerRestPort));
  else { if (args[args.indexOf('--port') + 1] !== POD_TASKMANAGER_PORT) throw new Error('unexpected TaskManager port'); flag('--port', '0'); }
  const env: Record<string, string> = {};
  for (const e of container.env) {
    if (e.value !== undefined) env[e.name] = local(e.value);
    else if (e.valueFrom?.fieldRef?.fieldPath === 'status.podIP') env[e.name] = '127.0.0.1';
    else throw new Error(`pod ${pod.metadata.name}: env ${e.name} comes from ${JSON.stringify(e.valueFrom)}, which has no local translation`);
  }
  return { role, args, env };
}
