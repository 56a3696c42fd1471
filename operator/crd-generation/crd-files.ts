// Renders every CRD to its YAML file content (pure), keyed by the file name under crds/.
import { stringify } from 'yaml';
import { ALL_KINDS } from '../api/v1alpha1/kinds.ts';
import { GROUP } from '../api/v1alpha1/meta.ts';
import { buildCrd } from './crd.ts';

const HEADER = '# Generated from operator/api/v1alpha1 by `npm run crds:generate`. Do not edit.\n';

export function renderCrdFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const def of ALL_KINDS) {
    files.set(`${GROUP}_${def.plural}.yaml`, HEADER + stringify(buildCrd(def), { lineWidth: 0 }));
  }
  return files;
}
