import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { T } from '../../sql/types/data-type.ts';
import { ConnectorError, SecretResolver, createConnectorRegistry, type TableDescriptor } from './index.ts';

const columns = [{ name: 'id', type: T.bigint() }, { name: 'name', type: T.string() }];
const table = (options: Record<string, string>, name = 't'): TableDescriptor => ({ name, columns, options });

function errorOf(fn: () => unknown): ConnectorError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConnectorError) return err;
    throw err;
  }
  throw new Error('expected a ConnectorError');
}

describe('connector factory: options validated like Flink', () => {
  const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });

  test('lists the built-in connectors with their abilities', () => {
    expect(registry.connectorNames()).toEqual(expect.arrayContaining(['blackhole', 'datagen', 'filesystem', 'nexmark', 'print']));
    expect(registry.formatNames()).toEqual(['avro', 'canal-json', 'csv', 'debezium-json', 'json', 'parquet', 'raw']);
    expect(registry.abilities('filesystem')).toEqual(['source', 'sink', 'lookup']);
    expect(registry.abilities('print')).toEqual(['sink']);
    expect(registry.abilities('datagen')).toEqual(['source']);
  });

  test('a missing or unknown connector names the table and lists the connectors', () => {
    const missing = errorOf(() => registry.createSource(table({}, 'orders')));
    expect(missing.code).toBe('MR_ERR_CONNECTOR_UNKNOWN');
    expect(missing.message).toContain("table 'orders' has no 'connector' option");
    const unknown = errorOf(() => registry.createSource(table({ connector: 'kafak' })));
    expect(unknown.code).toBe('MR_ERR_CONNECTOR_UNKNOWN');
    expect(unknown.message).toContain(`available: ${registry.connectorNames().map((n) => `'${n}'`).join(', ')}`);
    expect(unknown.message).toContain("'datagen'");
  });

  test('an unsupported option is named, with a suggestion and the supported options', () => {
    const err = errorOf(() => registry.createSource(table({ connector: 'datagen', 'rows-per-secnd': '5' })));
    expect(err.code).toBe('MR_ERR_CONNECTOR_OPTIONS');
    expect(err.message).toContain("unsupported option 'rows-per-secnd' (did you mean 'rows-per-second'?)");
    expect(err.message).toContain('Supported options: connector, rows-per-second, number-of-rows, scan.parallelism, seed, fields.#.kind');
  });

  test('missing required options and malformed values are all reported at once', () => {
    const err = errorOf(() => registry.createSink(table({ connector: 'print', 'standard-error': 'yes', 'sink.parallelism': 'two' })));
    expect(err.message).toContain("option 'standard-error': expected true or false, got 'yes'");
    expect(err.message).toContain("option 'sink.parallelism': expected an integer, got 'two'");
    const fs = errorOf(() => registry.createSink(table({ connector: 'filesystem', format: 'json' })));
    expect(fs.message).toContain("missing required option 'path'");
  });

  test('formats: required by filesystem, options carry the format prefix, unknown ones refused', () => {
    expect(errorOf(() => registry.createSource(table({ connector: 'filesystem', path: '/tmp/x' }))).message).toContain("missing required option 'format'; formats: 'json', 'csv', 'raw'");
    expect(errorOf(() => registry.createSource(table({ connector: 'filesystem', path: '/tmp/x', format: 'protobuf' }))).code).toBe('MR_ERR_FORMAT_UNKNOWN');
    expect(() => registry.createSource(table({ connector: 'filesystem', path: '/tmp/x', format: 'json', 'json.ignore-parse-errors': 'true' }))).not.toThrow();
    const wrongPrefix = errorOf(() => registry.createSource(table({ connector: 'filesystem', path: '/tmp/x', format: 'json', 'csv.field-delimiter': ';' })));
    expect(wrongPrefix.message).toContain("unsupported option 'csv.field-delimiter'");
    expect(wrongPrefix.message).toContain('json.ignore-parse-errors');
    const raw = errorOf(() => registry.createSource(table({ connector: 'filesystem', path: '/tmp/x', format: 'raw' })));
    expect(raw.code).toBe('MR_ERR_FORMAT_UNKNOWN');
    expect(raw.message).toContain('exactly one STRING or BYTES column');
  });

  test('an ability the connector lacks is refused by name', () => {
    const err = errorOf(() => registry.createSource(table({ connector: 'print' })));
    expect(err.code).toBe('MR_ERR_CONNECTOR_ABILITY');
    expect(err.message).toContain("connector 'print' cannot be used as a source");
  });
});

describe('connector factory: ${secret:<name>/<key>} references', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'millrace-secrets-'));
  mkdirSync(path.join(dir, 'db-creds'));
  writeFileSync(path.join(dir, 'db-creds', 'password'), 's3cr3t-value');
  writeFileSync(path.join(dir, 'db-creds', 'rows'), 'not-a-number-s3cr3t');

  test('resolves a reference from <dir>/<name>/<key>, inside a longer value too', () => {
    const secrets = new SecretResolver(dir);
    expect(secrets.resolve('${secret:db-creds/password}', 'x')).toBe('s3cr3t-value');
    expect(secrets.resolve('user:${secret:db-creds/password}@host', 'x')).toBe('user:s3cr3t-value@host');
    expect(secrets.resolve('plain', 'x')).toBe('plain');
  });

  test('a value read from a secret never appears in an error', () => {
    const registry = createConnectorRegistry({ secrets: new SecretResolver(dir) });
    const err = errorOf(() => registry.createSource(table({ connector: 'datagen', 'rows-per-second': '${secret:db-creds/rows}' })));
    expect(err.code).toBe('MR_ERR_CONNECTOR_OPTIONS');
    expect(err.message).toContain("option 'rows-per-second': expected an integer");
    expect(err.message).not.toContain('s3cr3t');
    expect(err.message).toContain('******');
  });

  test('a missing secret or a malformed reference is MR_ERR_SECRET naming the option, never a path outside the dir', () => {
    const registry = createConnectorRegistry({ secrets: new SecretResolver(dir) });
    const missing = errorOf(() => registry.createSource(table({ connector: 'datagen', 'rows-per-second': '${secret:db-creds/nope}' })));
    expect(missing.code).toBe('MR_ERR_SECRET');
    expect(missing.message).toContain("option 'rows-per-second'");
    expect(missing.message).toContain("secret 'db-creds' key 'nope'");
    const traversal = errorOf(() => registry.createSource(table({ connector: 'datagen', 'rows-per-second': '${secret:../etc/passwd}' })));
    expect(traversal.code).toBe('MR_ERR_SECRET');
  });
});
