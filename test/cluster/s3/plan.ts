// Pure decisions of the S3 environment, kept apart from process handling so they are unit-tested.

export interface ServerRecord {
  pid: number;
  binary: string;
  version: string;
  port: number;
  region: string;
  /** Extra address (besides loopback) the server listens on, so pods can reach it. */
  hostAddress?: string;
  startedAt: string;
  /** Who started it: `manual` for `npm run s3:up`, a test run's id for servers a test run started. */
  owner: string;
}

export interface S3Connection {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  bucket: string;
}

export type ServerAction =
  | { kind: 'start' }
  | { kind: 'reuse'; record: ServerRecord }
  | { kind: 'restart'; record: ServerRecord; reason: string };

export interface Wanted {
  version: string;
  port: number;
  hostAddress?: string;
}

// MinIO always listens on loopback; `--address <host>:<port>` adds one more address. A running
// server is reused when it runs the pinned version on the wanted port and already listens on the
// wanted host address (a server with a host address also serves loopback-only callers).
export function decideServerAction(running: ServerRecord | undefined, wanted: Wanted): ServerAction {
  if (!running) return { kind: 'start' };
  if (running.version !== wanted.version) return { kind: 'restart', record: running, reason: `it runs MinIO ${running.version}, ${wanted.version} is pinned` };
  if (running.port !== wanted.port) return { kind: 'restart', record: running, reason: `it listens on port ${running.port}, ${wanted.port} is wanted` };
  if (wanted.hostAddress && running.hostAddress !== wanted.hostAddress) {
    return { kind: 'restart', record: running, reason: `it does not listen on ${wanted.hostAddress} yet` };
  }
  return { kind: 'reuse', record: running };
}

export function listenAddress(port: number, hostAddress?: string): string {
  return hostAddress ? `${formatHost(hostAddress)}:${port}` : `127.0.0.1:${port}`;
}

// The endpoint handed out: the host address when there is one (it works from this machine and
// from pods alike), loopback otherwise.
export function endpointFor(record: Pick<ServerRecord, 'port' | 'hostAddress'>, useHostAddress: boolean): string {
  const host = useHostAddress && record.hostAddress ? formatHost(record.hostAddress) : '127.0.0.1';
  return `http://${host}:${record.port}`;
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

// Shell lines for `eval "$(npm run -s s3:up)"`; values are single-quoted for the shell.
export function renderExports(connection: S3Connection): string {
  const lines: Array<[string, string]> = [
    ['AWS_ENDPOINT_URL', connection.endpoint],
    ['AWS_ACCESS_KEY_ID', connection.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', connection.secretAccessKey],
    ['AWS_REGION', connection.region],
    ['MILLRACE_S3_BUCKET', connection.bucket],
  ];
  return lines.map(([name, value]) => `export ${name}=${shellQuote(value)}`).join('\n') + '\n';
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface ConnectionFromEnv {
  connection?: Omit<S3Connection, 'bucket'> & { bucket: string };
  missing: string[];
}

// An S3 already described by the environment (AWS_ENDPOINT_URL and the key pair) is used as is.
export function connectionFromEnv(env: NodeJS.ProcessEnv, defaultBucket: string): ConnectionFromEnv {
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (!endpoint) return { missing: [] };
  const missing = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].filter((name) => !env[name]);
  if (missing.length > 0) return { missing };
  return {
    missing: [],
    connection: {
      endpoint,
      accessKeyId: env.AWS_ACCESS_KEY_ID!,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      bucket: env.MILLRACE_S3_BUCKET ?? defaultBucket,
    },
  };
}
