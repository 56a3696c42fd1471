// Classifies a spec change against the spec the running pods were built from (pure).
import type { DeploymentSpec } from '../../api/v1alpha1/deployment.ts';
import { canonicalJson } from './desired.ts';

export type SpecChange =
  | { kind: 'none' }
  /** Only spec.state changed: handled by the desired-state logic, no new pods. */
  | { kind: 'state' }
  /** Anything the pods or the job are built from changed: the upgrade strategy applies. */
  | { kind: 'upgrade'; fields: string[] };

export function classifySpecChange(last: DeploymentSpec | undefined, next: DeploymentSpec): SpecChange {
  if (!last) return { kind: 'none' };
  const keys = new Set([...Object.keys(last), ...Object.keys(next)]) as Set<keyof DeploymentSpec>;
  // spec.savepoints and spec.progressDeadlineSeconds are read by the operator only: never an upgrade.
  const fields = [...keys].filter((k) => k !== 'savepoints' && k !== 'progressDeadlineSeconds' && canonicalJson(last[k]) !== canonicalJson(next[k])).sort();
  if (fields.length === 0) return { kind: 'none' };
  if (fields.length === 1 && fields[0] === 'state') return { kind: 'state' };
  return { kind: 'upgrade', fields: fields.filter((f) => f !== 'state') };
}
