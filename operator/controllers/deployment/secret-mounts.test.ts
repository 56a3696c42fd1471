// spec.secrets: the named Secrets are mounted read-only into every JobManager and TaskManager
// pod where the connector factory reads `${secret:<name>/<key>}`; the configuration holds only the
// references; a reference to a Secret the spec does not list is refused before any pod exists.
import { deploymentSchema } from '../../api/v1alpha1/deployment.ts';
import { desiredDeploymentObjects } from './desired.ts';
import { referencedSecrets, unlistedSecrets } from './secret-mounts.ts';

const owner = { apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', name: 'orders', uid: 'u-1', controller: true, blockOwnerDeletion: true };
const SQL = `CREATE TABLE t (id BIGINT) WITH ('connector' = 'jdbc', 'url' = 'jdbc:postgresql://db/shop', 'table-name' = 't',
  'username' = '\${secret:shop-db/user}', 'password' = '\${secret:shop-db/password}');
CREATE TABLE k (id BIGINT) WITH ('connector' = 'kafka', 'properties.sasl.jaas.config' = 'x \${secret:kafka.creds/jaas}');`;
const parse = (spec: Record<string, unknown>) => deploymentSchema.parse({ apiVersion: 'millrace.dev/v1alpha1', kind: 'Deployment', metadata: { name: 'orders', namespace: 'team-a' }, spec: { source: { sql: SQL }, parallelism: 2, ...spec } });

describe('spec.secrets', () => {
  test('each listed Secret is mounted read-only at /etc/millrace/secrets/<name> in the JobManager and every TaskManager', () => {
    const d = parse({ secrets: ['shop-db', 'kafka.creds', 'shop-db'] });
    const out = desiredDeploymentObjects(d, { defaultImage: 'millrace:dev', owner });
    expect(out.pods).toHaveLength(3);
    for (const p of out.pods) {
      const spec = p.spec as { containers: Array<{ volumeMounts: unknown[] }>; volumes: unknown[] };
      expect(spec.volumes).toEqual(expect.arrayContaining([
        { name: 'user-secret-0', secret: { secretName: 'shop-db', defaultMode: 0o440 } },
        { name: 'user-secret-1', secret: { secretName: 'kafka.creds', defaultMode: 0o440 } },
      ]));
      expect(spec.volumes.filter((v) => (v as { name: string }).name.startsWith('user-secret-'))).toHaveLength(2);
      expect(spec.containers[0]!.volumeMounts).toEqual(expect.arrayContaining([
        { name: 'user-secret-0', mountPath: '/etc/millrace/secrets/shop-db', readOnly: true },
        { name: 'user-secret-1', mountPath: '/etc/millrace/secrets/kafka.creds', readOnly: true },
      ]));
    }
    // the configuration carries the references as written, nothing resolved
    expect(JSON.stringify(out.files)).toContain('${secret:shop-db/password}');
  });

  test('without spec.secrets nothing is mounted and the pod spec is unchanged', () => {
    const out = desiredDeploymentObjects(parse({}), { defaultImage: 'millrace:dev', owner });
    expect(JSON.stringify(out.pods)).not.toContain('user-secret');
  });

  test('a reference to a Secret spec.secrets does not list is refused, naming it and the fix', () => {
    expect(referencedSecrets(parse({}).spec)).toEqual(['kafka.creds', 'shop-db']);
    expect(unlistedSecrets(parse({ secrets: ['shop-db', 'kafka.creds'] }).spec)).toBeUndefined();
    const p = unlistedSecrets(parse({ secrets: ['shop-db'] }).spec);
    expect(p?.reason).toBe('SecretNotListed');
    expect(p?.message).toContain("'kafka.creds'");
    expect(p?.message).toContain('add it to spec.secrets');
  });

  test('Secret names are validated by the schema', () => {
    expect(() => parse({ secrets: ['Not_A_Name'] })).toThrow(/a Secret name/);
  });
});
