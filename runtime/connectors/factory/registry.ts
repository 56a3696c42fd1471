// The one place connectors and formats plug in. A registry is made explicitly (no registration
// as a side effect of importing a file): `createConnectorRegistry()` in index.ts lists the
// built-in ones; Kafka, JDBC or CDC add one line there. Callers ask for an ability of a table;
// the registry validates the options (validate.ts) and hands back the connector's source, sink
// or lookup. Every error leaving it is redacted of secret values.

import type { LookupTableSource, ScanTableSource, TableConnector, TableDescriptor, TableSink, ConnectorContext } from './connector.ts';
import { ConnectorError } from './errors.ts';
import { withLegacyOptions } from './legacy-options.ts';
import { resolveFormat, type FormatFactory, type ResolvedFormat } from './format.ts';
import { SecretResolver } from './secrets.ts';
import { validateTableOptions } from './validate.ts';

export type Ability = 'source' | 'sink' | 'lookup';

export interface ConnectorRegistryOptions {
  /** reads `${secret:...}` references; default: MILLRACE_SECRETS_DIR or the pod mount point */
  readonly secrets?: SecretResolver;
  /** the statements are only checked here, away from the job's files and Secrets (ConnectorContext.checkOnly) */
  readonly checkOnly?: boolean;
}

export class ConnectorRegistry {
  private readonly connectors = new Map<string, TableConnector>();
  private readonly formats = new Map<string, FormatFactory>();
  readonly secrets: SecretResolver;
  private readonly checkOnly: boolean;

  constructor(options: ConnectorRegistryOptions = {}) {
    this.secrets = options.secrets ?? new SecretResolver();
    this.checkOnly = options.checkOnly ?? false;
  }

  registerConnector(c: TableConnector): this {
    if (this.connectors.has(c.name)) throw new Error(`connector '${c.name}' is registered twice`);
    this.connectors.set(c.name, c as TableConnector);
    return this;
  }

  registerFormat(f: FormatFactory): this {
    if (this.formats.has(f.name)) throw new Error(`format '${f.name}' is registered twice`);
    this.formats.set(f.name, f as FormatFactory);
    return this;
  }

  connectorNames(): string[] {
    return [...this.connectors.keys()].sort();
  }

  formatNames(): string[] {
    return [...this.formats.keys()].sort();
  }

  getConnector(name: string): TableConnector | undefined {
    return this.connectors.get(name);
  }

  getFormat(name: string): FormatFactory | undefined {
    return this.formats.get(name);
  }

  /**
   * A format for columns of a table, options given without prefix. For connectors with several
   * formats (Kafka's `key.format` and `value.format`, whose options they pass on unprefixed).
   */
  resolveFormat(table: string, columns: TableDescriptor['columns'], name: string, options: Readonly<Record<string, string>> = {}): ResolvedFormat {
    const factory = this.formats.get(name);
    if (!factory) throw new ConnectorError('MR_ERR_FORMAT_UNKNOWN', `table '${table}': '${name}' is not a format; formats: ${this.formatNames().map((f) => `'${f}'`).join(', ')}`);
    const res = factory.options.strict().safeParse(options);
    if (!res.success) {
      const problems = res.error.issues.map((i) => (i.code === 'unrecognized_keys' ? `unsupported option${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${name}.${k}'`).join(', ')}` : `option '${name}.${String(i.path[0])}': ${i.message}`));
      throw new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', this.secrets.redact(`table '${table}': ${problems.join('; ')}. Supported options: ${Object.keys(factory.options.shape).map((k) => `${name}.${k}`).join(', ')}`));
    }
    const fctx = { table, columns, options: res.data };
    factory.check?.(fctx);
    return resolveFormat(factory, fctx);
  }

  /** Which abilities a connector has (for the planner and docs). */
  abilities(name: string): Ability[] {
    const c = this.connectors.get(name);
    return c ? (['source', 'sink', 'lookup'] as const).filter((a) => c[a] !== undefined) : [];
  }

  createSource(table: TableDescriptor): ScanTableSource {
    return this.use(table, 'source', (c, ctx) => c.source!(ctx));
  }

  createSink(table: TableDescriptor): TableSink {
    return this.use(table, 'sink', (c, ctx) => c.sink!(ctx));
  }

  createLookup(table: TableDescriptor): LookupTableSource {
    return this.use(table, 'lookup', (c, ctx) => c.lookup!(ctx));
  }

  /** Validates the table's options without creating anything (the operator's admission check). */
  validate(table: TableDescriptor): void {
    this.context(table);
  }

  private connectorOf(table: TableDescriptor): TableConnector {
    const name = table.options.connector;
    const known = this.connectorNames().map((n) => `'${n}'`).join(', ');
    if (name === undefined) throw new ConnectorError('MR_ERR_CONNECTOR_UNKNOWN', `table '${table.name}' has no 'connector' option; add 'connector' = '<name>' with one of ${known}`);
    const c = this.connectors.get(name);
    if (!c) throw new ConnectorError('MR_ERR_CONNECTOR_UNKNOWN', `table '${table.name}': 'connector' = '${name}' is not a connector; available: ${known}`);
    return c;
  }

  private context(written: TableDescriptor): { connector: TableConnector; ctx: ConnectorContext<Record<string, unknown>> } {
    const table = withLegacyOptions(written);
    const connector = this.connectorOf(table);
    const v = validateTableOptions(table, connector, this.formats, this.secrets);
    let format: ResolvedFormat | undefined;
    if (v.format) {
      const { factory, options } = v.format;
      const fctx = { table: table.name, columns: table.columns, options };
      factory.check?.(fctx);
      format = resolveFormat(factory, fctx);
    }
    const ctx = { table, options: v.connector, format, ...(this.checkOnly ? { checkOnly: true } : {}) };
    connector.check?.(ctx);
    return { connector, ctx };
  }

  private use<R>(table: TableDescriptor, ability: Ability, make: (c: TableConnector, ctx: ConnectorContext<Record<string, unknown>>) => R): R {
    try {
      const { connector, ctx } = this.context(table);
      if (!connector[ability]) {
        const can = this.abilities(connector.name);
        throw new ConnectorError('MR_ERR_CONNECTOR_ABILITY', `table '${table.name}': connector '${connector.name}' cannot be used as a ${ability === 'source' ? 'source (it is read in a FROM clause)' : ability === 'sink' ? 'sink (it is the target of an INSERT)' : 'lookup table'}; it supports: ${can.join(', ')}`);
      }
      return make(connector, ctx);
    } catch (err) {
      if (err instanceof Error) err.message = this.secrets.redact(err.message);
      throw err;
    }
  }
}
