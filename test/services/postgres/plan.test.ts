import { decideServerAction, exportLines, pickMajorVersion, postgresPaths, renderHba, serverArguments } from './plan.ts';
import type { ServerRecord } from './plan.ts';

const running: ServerRecord = { pid: 42, startTicks: '100', version: '15', port: 15432, startedAt: '2026-01-01T00:00:00Z', owner: 'manual' };

describe('local PostgreSQL server plan', () => {
  test('reuses a running server of the installed version on the wanted port, restarts otherwise', () => {
    expect(decideServerAction(undefined, { version: '15', port: 15432 })).toEqual({ kind: 'start' });
    expect(decideServerAction(running, { version: '15', port: 15432 })).toEqual({ kind: 'reuse', record: running });
    expect(decideServerAction(running, { version: '16', port: 15432 })).toMatchObject({ kind: 'restart', reason: expect.stringContaining('16') });
    expect(decideServerAction(running, { version: '15', port: 40000 })).toMatchObject({ kind: 'restart', reason: expect.stringContaining('40000') });
  });

  test('a server for pods is restarted to listen on the host address; one that does also serves loopback callers', () => {
    expect(decideServerAction(running, { version: '15', port: 15432, hostAddress: '10.245.0.1' })).toMatchObject({ kind: 'restart', reason: expect.stringContaining('10.245.0.1') });
    const listening = { ...running, hostAddress: '10.245.0.1' };
    expect(decideServerAction(listening, { version: '15', port: 15432, hostAddress: '10.245.0.1' })).toEqual({ kind: 'reuse', record: listening });
    expect(decideServerAction(listening, { version: '15', port: 15432 })).toEqual({ kind: 'reuse', record: listening });
    expect(decideServerAction(listening, { version: '15', port: 15432, hostAddress: '172.18.0.1' })).toMatchObject({ kind: 'restart' });
  });

  test('with a host address the server listens there too', () => {
    expect(serverArguments('/d', 15432, '10.245.0.1').join(' ')).toContain('-c listen_addresses=127.0.0.1,10.245.0.1');
  });

  test('pg_hba: a password (scram-sha-256) for every connection, from loopback, and from attached subnets only with a host address', () => {
    const rules = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/));
    const loopback = rules(renderHba());
    expect(loopback.map((r) => r[3])).toEqual(['127.0.0.1/32', '127.0.0.1/32', '::1/128', '::1/128']);
    const pods = rules(renderHba('10.245.0.1'));
    expect(pods.map((r) => r[3])).toEqual(['127.0.0.1/32', '127.0.0.1/32', '::1/128', '::1/128', 'samenet', 'samenet']);
    expect(pods.map((r) => r[1])).toEqual(['all', 'replication', 'all', 'replication', 'all', 'replication']);
    for (const r of [...loopback, ...pods]) expect([r[0], r[4]]).toEqual(['host', 'scram-sha-256']);
  });

  test('the server listens on loopback only, without a Unix socket, with logical WAL for CDC', () => {
    const args = serverArguments('/d', 15432).join(' ');
    expect(args).toMatch(/^-D \/d /);
    expect(args).toContain('-c listen_addresses=127.0.0.1');
    expect(args).toContain('-c port=15432');
    expect(args).toContain('-c unix_socket_directories= ');
    expect(args).toContain('-c wal_level=logical');
  });

  test('state lives under the cache directory; the newest installed major is used', () => {
    expect(postgresPaths({ MILLRACE_CACHE_DIR: '/c' })).toMatchObject({ stateDir: '/c/run/postgres', dataDir: '/c/run/postgres/data', serverFile: '/c/run/postgres/server.json' });
    expect(pickMajorVersion(['13', '15', 'README', '9'])).toBe('15');
    expect(pickMajorVersion([])).toBeUndefined();
  });

  test('export lines quote the password for the shell', () => {
    expect(exportLines({ host: '127.0.0.1', port: 15432, user: 'millrace', password: "a'b", database: 'millrace' })).toBe(
      "export PGHOST=127.0.0.1\nexport PGPORT=15432\nexport PGUSER=millrace\nexport PGPASSWORD='a'\\''b'\nexport PGDATABASE=millrace\n",
    );
  });
});
