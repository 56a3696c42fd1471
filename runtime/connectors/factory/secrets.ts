// `${secret:<name>/<key>}` in an option value reads key <key> of the Kubernetes Secret <name>,
// which the operator mounts read-only as the file <dir>/<name>/<key> (locally: any directory
// holding the same layout). Values read are remembered so that every message leaving the
// factory can be redacted; they are never logged or put into errors.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConnectorError } from './errors.ts';

/** Where Secrets are mounted in JobManager and TaskManager pods. */
export const POD_SECRETS_DIR = '/etc/millrace/secrets';

/** `MILLRACE_SECRETS_DIR` when set, else the pod mount point. */
export function defaultSecretsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.MILLRACE_SECRETS_DIR ?? POD_SECRETS_DIR;
}

const REFERENCE = /\$\{secret:([^}]*)\}/g;
/** A Secret's name is a DNS subdomain; a key is what Kubernetes allows in Secret data keys. */
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

export const REDACTED = '******';

export class SecretResolver {
  private readonly dir: string;
  private readonly seen = new Set<string>();
  private readonly read: (file: string) => string;

  constructor(dir: string = defaultSecretsDir(), read: (file: string) => string = (f) => readFileSync(f, 'utf8')) {
    this.dir = dir;
    this.read = read;
  }

  /** Whether the text holds a secret reference (then its resolved value must never be shown). */
  static references(text: string): boolean {
    return text.includes('${secret:');
  }

  /** Replaces every reference in `text` by the secret's value; `where` names the option for errors. */
  resolve(text: string, where: string): string {
    if (!SecretResolver.references(text)) return text;
    return text.replace(REFERENCE, (_m, ref: string) => {
      const slash = ref.indexOf('/');
      const name = slash < 0 ? '' : ref.slice(0, slash);
      const key = slash < 0 ? '' : ref.slice(slash + 1);
      if (!SECRET_NAME.test(name) || !SECRET_KEY.test(key) || key === '.' || key === '..') {
        throw new ConnectorError('MR_ERR_SECRET', `${where}: '\${secret:${ref}}' is not a secret reference; write \${secret:<secret-name>/<key>} with a Secret named in the Deployment's spec.secrets`);
      }
      const file = path.join(this.dir, name, key);
      let value: string;
      try {
        value = this.read(file);
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : ((err as NodeJS.ErrnoException).code ?? 'unreadable');
        throw new ConnectorError('MR_ERR_SECRET', `${where}: cannot read secret '${name}' key '${key}' (${file}: ${reason}); name the Secret in the Deployment's spec.secrets, or locally put the value into that file (MILLRACE_SECRETS_DIR sets the directory)`);
      }
      if (value.length > 0) this.seen.add(value);
      return value;
    });
  }

  /** The text with every secret value read so far replaced by `******`. */
  redact(text: string): string {
    let out = text;
    for (const v of this.seen) out = out.split(v).join(REDACTED);
    return out;
  }
}
