// Pure decisions of the local PostgreSQL server (paths, server settings, reuse or restart), kept
// apart from process handling so they are unit-tested.
import { homedir } from 'node:os';
import { join } from 'node:path';

// Below Linux's ephemeral range (32768-60999), so no outgoing connection can hold it (as with MinIO's).
export const defaults = { port: 15432, user: 'millrace', database: 'millrace' } as const;

export interface PostgresPaths {
  stateDir: string;
  /** the cluster made by initdb (a link to it when the server's user cannot reach the cache, see server.ts) */
  dataDir: string;
  /** generated once with the data directory; the superuser's password */
  passwordFile: string;
  logFile: string;
  serverFile: string;
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.MILLRACE_CACHE_DIR ?? join(env.HOME ?? homedir(), '.cache', 'millrace');
}

export function postgresPaths(env: NodeJS.ProcessEnv = process.env): PostgresPaths {
  const stateDir = join(cacheRoot(env), 'run', 'postgres');
  return {
    stateDir,
    dataDir: join(stateDir, 'data'),
    passwordFile: join(stateDir, 'password'),
    logFile: join(stateDir, 'server.log'),
    serverFile: join(stateDir, 'server.json'),
  };
}

/** What `postgres:down` and a test run's teardown need to stop exactly the process that was started. */
export interface ServerRecord {
  pid: number;
  /** field 22 of /proc/<pid>/stat when started: a reused pid has another */
  startTicks: string;
  /** major version of the server binaries, e.g. "15" */
  version: string;
  port: number;
  /** extra address (besides loopback) the server listens on, so pods on the node tier reach it */
  hostAddress?: string;
  startedAt: string;
  /** `manual` for `npm run postgres:up`, a test run's id for a server a test run started */
  owner: string;
}

export type ServerAction =
  | { kind: 'start' }
  | { kind: 'reuse'; record: ServerRecord }
  | { kind: 'restart'; record: ServerRecord; reason: string };

/** A server that listens on the wanted host address also serves loopback-only callers. */
export function decideServerAction(running: ServerRecord | undefined, wanted: { version: string; port: number; hostAddress?: string }): ServerAction {
  if (!running) return { kind: 'start' };
  if (running.version !== wanted.version) return { kind: 'restart', record: running, reason: `it runs PostgreSQL ${running.version}, the installed binaries are ${wanted.version}` };
  if (running.port !== wanted.port) return { kind: 'restart', record: running, reason: `it listens on port ${running.port}, ${wanted.port} is wanted` };
  if (wanted.hostAddress && running.hostAddress !== wanted.hostAddress) {
    return { kind: 'restart', record: running, reason: `it does not listen on ${wanted.hostAddress} yet` };
  }
  return { kind: 'reuse', record: running };
}

/**
 * Settings given on the postgres command line (they win over postgresql.conf): loopback TCP, and
 * the node tier's host address when given (so pods reach the server); no Unix socket (its default
 * directory belongs to the system's server), logical WAL for CDC with room for the replication
 * slots and walsenders the tests open.
 */
export function serverArguments(dataDir: string, port: number, hostAddress?: string): string[] {
  const settings: Record<string, string> = {
    listen_addresses: hostAddress ? `127.0.0.1,${hostAddress}` : '127.0.0.1',
    port: String(port),
    unix_socket_directories: '',
    wal_level: 'logical',
    max_wal_senders: '20',
    max_replication_slots: '20',
    max_connections: '200',
    shared_buffers: '64MB',
  };
  return ['-D', dataDir, ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
}

/**
 * pg_hba.conf, written on every start (it replaces the one initdb made): every connection needs
 * the role's password (scram-sha-256), none is trusted. Loopback for the tests' processes; with a
 * host address, also `samenet`, i.e. any address on a subnet this machine is directly attached to:
 * the pods' bridge of the local node tier (pods reach the host address from their own addresses)
 * or, for kind, the docker network of its nodes (pod traffic arrives from the node's address).
 * Nothing else can log in, whatever address it reaches.
 */
export function renderHba(hostAddress?: string): string {
  const sources = ['127.0.0.1/32', '::1/128', ...(hostAddress ? ['samenet'] : [])];
  return [
    '# Written by test/services/postgres (plan.ts renderHba) on every start; edits are lost.',
    '# TYPE  DATABASE     USER  ADDRESS  METHOD',
    ...sources.flatMap((source) => [`host    all          all   ${source}  scram-sha-256`, `host    replication  all   ${source}  scram-sha-256`]),
    '',
  ].join('\n');
}

/** Highest major version among `/usr/lib/postgresql/<major>/bin` directories (Debian's layout). */
export function pickMajorVersion(entries: string[]): string | undefined {
  const majors = entries.filter((entry) => /^\d+$/.test(entry)).map(Number).sort((a, b) => b - a);
  return majors.length ? String(majors[0]) : undefined;
}

export interface ConnectionSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** The shell lines `postgres:up` prints: eval "$(npm run -s postgres:up)". */
export function exportLines(c: ConnectionSettings): string {
  const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
  return [`PGHOST=${c.host}`, `PGPORT=${c.port}`, `PGUSER=${c.user}`, `PGPASSWORD=${quote(c.password)}`, `PGDATABASE=${c.database}`].map((line) => `export ${line}\n`).join('');
}
