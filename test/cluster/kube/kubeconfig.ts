import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** Writes a kubeconfig with the certificates embedded, so the file can be copied anywhere. */
export async function writeKubeconfig(path: string, options: { server: string; pkiDir: string; stem: string; user: string }): Promise<void> {
  const b64 = async (file: string) => (await readFile(join(options.pkiDir, file))).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'millrace', cluster: { server: options.server, 'certificate-authority-data': await b64('ca.crt') } }],
    users: [{ name: options.user, user: { 'client-certificate-data': await b64(`${options.stem}.crt`), 'client-key-data': await b64(`${options.stem}.key`) } }],
    contexts: [{ name: 'millrace', context: { cluster: 'millrace', user: options.user } }],
    'current-context': 'millrace',
  };
  await writeFile(path, stringify(config), { mode: 0o600 });
}
