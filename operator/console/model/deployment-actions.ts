// The actions on a Deployment the console offers, what each changes in Kubernetes, which RBAC
// permission it needs and in which states it applies (pure). The change is made with the
// user's own token, so the API server's RBAC decides again whatever the page showed.
import { API_VERSION, GROUP } from '../../api/v1alpha1/meta.ts';
import type { AccessAttributes } from '../auth/can-i.ts';
import { ConsoleError } from '../errors.ts';

export const ACTIONS = ['start', 'suspend', 'cancel', 'savepoint', 'parallelism', 'restore'] as const;
export type ActionName = (typeof ACTIONS)[number];

export interface DeploymentState { name: string; namespace: string; state?: string; phase?: string }

/** The RBAC permission an action needs. */
export function actionPermission(action: ActionName, d: { namespace: string; name: string }): AccessAttributes {
  return action === 'savepoint'
    ? { verb: 'create', group: GROUP, resource: 'savepoints', namespace: d.namespace }
    : { verb: 'patch', group: GROUP, resource: 'deployments', namespace: d.namespace, name: d.name };
}

/** Why an action does not apply to the deployment now, or undefined when it does. */
export function actionNotApplicable(action: ActionName, d: DeploymentState): string | undefined {
  const state = d.state ?? 'running';
  switch (action) {
    case 'start': return state === 'running' ? 'it is already desired running' : undefined;
    case 'suspend': return state !== 'running' ? `it is ${state}` : undefined;
    case 'cancel': return state === 'cancelled' ? 'it is already cancelled' : undefined;
    case 'savepoint': return d.phase !== 'Running' ? `savepoints are taken of a Running job; it is ${d.phase ?? 'not running'}` : undefined;
    case 'parallelism': return undefined;
    case 'restore': return undefined;
  }
}

export interface ActionInput { parallelism?: unknown; savepointName?: unknown }

export type KubeChange =
  | { kind: 'mergePatch'; patch: Record<string, unknown> }
  | { kind: 'create'; object: { apiVersion: string; kind: string; metadata: { name?: string; generateName?: string; namespace: string }; spec: Record<string, unknown> } };

/** The Kubernetes change an action makes; MR_ERR_CONSOLE_REQUEST_INVALID naming the field for bad input. */
export function actionChange(action: ActionName, d: DeploymentState, input: ActionInput): KubeChange {
  switch (action) {
    case 'start': return { kind: 'mergePatch', patch: { spec: { state: 'running' } } };
    case 'suspend': return { kind: 'mergePatch', patch: { spec: { state: 'suspended' } } };
    case 'cancel': return { kind: 'mergePatch', patch: { spec: { state: 'cancelled' } } };
    case 'parallelism': {
      const p = Number(input.parallelism);
      if (!Number.isInteger(p) || p < 1 || p > 4096) throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', `parallelism must be a whole number from 1 to 4096, got '${String(input.parallelism ?? '')}'`);
      return { kind: 'mergePatch', patch: { spec: { parallelism: p } } };
    }
    case 'restore': {
      const name = typeof input.savepointName === 'string' ? input.savepointName.trim() : '';
      if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', `savepointName must name a Savepoint of this namespace (a DNS label), got '${name}'`);
      // the next start restores from it; a stopped deployment is started
      return { kind: 'mergePatch', patch: { spec: { state: 'running', restore: { strategy: 'savepoint', savepointName: name } } } };
    }
    case 'savepoint':
      return { kind: 'create', object: { apiVersion: API_VERSION, kind: 'Savepoint', metadata: { generateName: `${d.name}-`.slice(0, 58), namespace: d.namespace }, spec: { deployment: d.name, origin: 'userRequest' } } };
  }
}

export const isAction = (a: string): a is ActionName => (ACTIONS as readonly string[]).includes(a);
