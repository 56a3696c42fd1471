// What tests use to get a PostgreSQL server. MILLRACE_POSTGRES_URL (postgres://user:pass@host:port/db)
// names an existing one (used as is). Otherwise the local server is reused, or started; a server
// started here is owned by the test run (MILLRACE_TEST_RUN_ID), whose global teardown stops it
// with `stopPostgresStartedBy`. With a host address (`(await useNode()).hostAddress`) the server
// listens there too and the settings returned point there, so pods on the node tier connect with a
// password as processes do on loopback. Tests make their own database (`createDatabase`) so they never
// share tables with each other or with a developer's data.
import pg from 'pg';
import { localClusterHostAddress } from '../../cluster/s3/host-address.ts';
import { downPostgres, upPostgres } from './lifecycle.ts';
import type { ConnectionSettings } from './plan.ts';

export interface UsePostgresOptions {
  /** An address of this machine pods can reach: the settings returned have it as their host. */
  hostAddress?: string;
}

const connections = new Map<string, Promise<ConnectionSettings>>();

export function usePostgres(options: UsePostgresOptions = {}): Promise<ConnectionSettings> {
  const key = options.hostAddress ?? '';
  let connection = connections.get(key);
  if (!connection) {
    connection = resolvePostgres(options);
    connections.set(key, connection);
    connection.catch(() => connections.delete(key));
  }
  return connection;
}

async function resolvePostgres(options: UsePostgresOptions): Promise<ConnectionSettings> {
  const url = process.env.MILLRACE_POSTGRES_URL;
  if (url) {
    const u = new URL(url);
    return { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password), database: u.pathname.slice(1) || 'postgres' };
  }
  // While the local cluster runs, listen on its host address from the start even for loopback
  // callers (as Kafka and MinIO do), so a later caller whose pods need the server causes no
  // restart under tests in other workers.
  const preferred = options.hostAddress ? undefined : localClusterHostAddress();
  const { connection: settings } = await upPostgres({
    ...(options.hostAddress ? { hostAddress: options.hostAddress } : {}),
    ...(preferred ? { preferHostAddress: preferred } : {}),
    owner: process.env.MILLRACE_TEST_RUN_ID ?? 'test',
    log: (line) => process.stderr.write(`[postgres] ${line}\n`),
  });
  return settings;
}

/** A fresh, empty database named `<prefix>_<random>`; returns settings pointing at it (on the host address when given). */
export async function createDatabase(prefix: string, options: UsePostgresOptions = {}): Promise<ConnectionSettings> {
  const base = await usePostgres(options);
  const name = `${prefix}_${Math.random().toString(36).slice(2, 10)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const client = new pg.Client(base);
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return { ...base, database: name };
}

/** Drops a database made by `createDatabase` (closing its sessions). */
export async function dropDatabase(settings: ConnectionSettings): Promise<void> {
  const client = new pg.Client({ ...settings, database: (await usePostgres()).database });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${settings.database} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** `jdbc:postgresql://host:port/db`, as a Flink table's `url` option. */
export function jdbcUrl(c: ConnectionSettings): string {
  return `jdbc:postgresql://${c.host}:${c.port}/${c.database}`;
}

/** For a test run's global teardown: stops the server only if this run started it. */
export async function stopPostgresStartedBy(runId: string): Promise<boolean> {
  return (await downPostgres({ owner: runId })) !== undefined;
}
