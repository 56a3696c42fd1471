import { deploymentSchema } from './deployment.ts';
import { namespaceSchema } from './namespace.ts';
import { parseResource } from './parse.ts';
import { ALL_KINDS } from './kinds.ts';
import { toStructuralSchema } from '../../crd-generation/openapi-schema.ts';

const meta = { name: 'orders', namespace: 'team-a', creationTimestamp: '2026-01-01T00:00:00Z' };

describe('Deployment parsing', () => {
  test('applies the same defaults as the CRD', () => {
    const d = parseResource(deploymentSchema, { apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: meta, spec: { source: { sql: 'SELECT 1' } } }, 'Deployment team-a/orders');
    expect(d.spec).toMatchObject({
      state: 'running', queue: 'default-queue', parallelism: 1, upgradeStrategy: 'stateless',
      jobManager: { cu: 1 }, taskManager: { cu: 1, slots: 1 },
      restore: { strategy: 'latestState', allowNonRestoredState: false },
      checkpoints: { intervalSeconds: 60, retained: 1 }, configuration: {},
    });
  });
  test('a bad object is refused with a message naming each field', () => {
    const bad = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: meta, spec: { source: { sql: 'x' }, parallelism: 0, taskManager: { cu: 0.3 } } };
    expect(() => parseResource(deploymentSchema, bad, 'Deployment team-a/orders')).toThrow(/spec\.parallelism: .*spec\.taskManager\.cu: /);
  });
});

describe('Namespace parsing', () => {
  test('members default to none', () => {
    const n = parseResource(namespaceSchema, { apiVersion: 'millrace.dev/v1alpha1', kind: 'Namespace', metadata: { name: 'team-a' }, spec: { workspace: 'prod', quotaCU: 8 } }, 'Namespace team-a');
    expect(n.spec.members).toEqual([]);
  });
});

type Node = Record<string, unknown>;
function undocumented(node: Node, path: string, out: string[]): void {
  const props = node.properties as Record<string, Node> | undefined;
  for (const [name, child] of Object.entries(props ?? {})) {
    if (typeof child.description !== 'string' || child.description.length === 0) out.push(`${path}.${name}`);
    undocumented(child, `${path}.${name}`, out);
  }
  if (node.items && typeof node.items === 'object') undocumented(node.items as Node, `${path}[]`, out);
}

describe('generated OpenAPI schemas', () => {
  test.each(ALL_KINDS.map((k) => [k.kind, k] as const))('%s documents every field for kubectl explain', (_kind, def) => {
    const missing: string[] = [];
    undocumented(toStructuralSchema(def.spec), 'spec', missing);
    undocumented(toStructuralSchema(def.status), 'status', missing);
    expect(missing).toEqual([]);
  });
  test('schemas are structural: no additionalProperties:false, no unions, no $schema', () => {
    for (const def of ALL_KINDS) {
      const text = JSON.stringify([toStructuralSchema(def.spec), toStructuralSchema(def.status)]);
      expect(text).not.toMatch(/"additionalProperties":false|"anyOf"|"oneOf"|"\$schema"|"const"/);
    }
  });
});
