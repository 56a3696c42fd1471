// The catalog of one SQL session, as Flink's CatalogManager with its in-memory default catalog:
// `default_catalog.default_database` is current; names with one or two parts are qualified with
// the current catalog and database; temporary objects shadow permanent ones of the same path.
// Identifiers are case-sensitive, as in Flink.
import { SqlError } from '../errors.ts';
import type { SqlPosition } from '../errors.ts';
import type { CatalogFunction, CatalogRelation, ObjectPath } from './catalog-objects.ts';
import { pathToString } from './catalog-objects.ts';

export const DEFAULT_CATALOG = 'default_catalog';
export const DEFAULT_DATABASE = 'default_database';

export class SessionCatalog {
  private currentCatalogName = DEFAULT_CATALOG;
  private currentDatabaseName = DEFAULT_DATABASE;
  private readonly databases = new Map<string, Set<string>>([[DEFAULT_CATALOG, new Set([DEFAULT_DATABASE])]]);
  private readonly relations = new Map<string, CatalogRelation>();
  private readonly temporaryRelations = new Map<string, CatalogRelation>();
  private readonly functions = new Map<string, CatalogFunction>();
  private readonly temporaryFunctions = new Map<string, CatalogFunction>();
  private readonly systemFunctions = new Map<string, CatalogFunction>();

  get currentCatalog(): string {
    return this.currentCatalogName;
  }

  get currentDatabase(): string {
    return this.currentDatabaseName;
  }

  /** `t` → current catalog and database; `db.t` → current catalog; `cat.db.t` as is. */
  qualify(parts: readonly string[], pos?: SqlPosition): ObjectPath {
    if (parts.length === 1) return { catalog: this.currentCatalogName, database: this.currentDatabaseName, name: parts[0]! };
    if (parts.length === 2) return { catalog: this.currentCatalogName, database: parts[0]!, name: parts[1]! };
    if (parts.length === 3) return { catalog: parts[0]!, database: parts[1]!, name: parts[2]! };
    throw new SqlError('MR_ERR_SQL_VALIDATE', `'${parts.join('.')}' is not a valid object name: use name, database.name or catalog.database.name`, pos);
  }

  useCatalog(name: string, pos?: SqlPosition): void {
    if (!this.databases.has(name)) throw new SqlError('MR_ERR_SQL_CATALOG', `catalog '${name}' does not exist`, pos);
    this.currentCatalogName = name;
    this.currentDatabaseName = [...this.databases.get(name)!][0] ?? DEFAULT_DATABASE;
  }

  useDatabase(parts: readonly string[], pos?: SqlPosition): void {
    const catalog = parts.length === 2 ? parts[0]! : this.currentCatalogName;
    const database = parts[parts.length - 1]!;
    if (!this.databases.get(catalog)?.has(database)) throw new SqlError('MR_ERR_SQL_CATALOG', `database '${catalog}.${database}' does not exist`, pos);
    this.currentCatalogName = catalog;
    this.currentDatabaseName = database;
  }

  createCatalog(name: string, ifNotExists: boolean, pos?: SqlPosition): void {
    if (this.databases.has(name)) {
      if (ifNotExists) return;
      throw new SqlError('MR_ERR_SQL_CATALOG', `catalog '${name}' already exists`, pos);
    }
    this.databases.set(name, new Set([DEFAULT_DATABASE]));
  }

  createDatabase(parts: readonly string[], ifNotExists: boolean, pos?: SqlPosition): void {
    const catalog = parts.length === 2 ? parts[0]! : this.currentCatalogName;
    const database = parts[parts.length - 1]!;
    const dbs = this.databases.get(catalog);
    if (dbs === undefined) throw new SqlError('MR_ERR_SQL_CATALOG', `catalog '${catalog}' does not exist`, pos);
    if (dbs.has(database)) {
      if (ifNotExists) return;
      throw new SqlError('MR_ERR_SQL_CATALOG', `database '${catalog}.${database}' already exists`, pos);
    }
    dbs.add(database);
  }

  listCatalogs(): string[] {
    return [...this.databases.keys()].sort();
  }

  listDatabases(): string[] {
    return [...(this.databases.get(this.currentCatalogName) ?? [])].sort();
  }

  private checkDatabase(path: ObjectPath, pos?: SqlPosition): void {
    if (!this.databases.get(path.catalog)?.has(path.database)) {
      throw new SqlError('MR_ERR_SQL_CATALOG', `database '${path.catalog}.${path.database}' does not exist (create it with CREATE DATABASE, or use a name in ${this.currentCatalogName}.${this.currentDatabaseName})`, pos);
    }
  }

  /** Adds a table or view; `ifNotExists` makes an existing object a no-op, as in Flink. */
  createRelation(relation: CatalogRelation, ifNotExists: boolean, pos?: SqlPosition): void {
    const key = pathToString(relation.path);
    const target = relation.temporary ? this.temporaryRelations : this.relations;
    if (!relation.temporary) this.checkDatabase(relation.path, pos);
    if (target.has(key)) {
      if (ifNotExists) return;
      const existing = target.get(key)!;
      const what = relation.temporary ? `Temporary ${existing.kind}` : existing.kind === 'table' ? 'Table' : 'View';
      throw new SqlError('MR_ERR_SQL_CATALOG', `${what} '${key}' already exists`, pos);
    }
    target.set(key, relation);
  }

  /** The table or view a name denotes (a temporary one first), or undefined. */
  getRelation(path: ObjectPath): CatalogRelation | undefined {
    const key = pathToString(path);
    return this.temporaryRelations.get(key) ?? this.relations.get(key);
  }

  dropRelation(kind: 'table' | 'view', path: ObjectPath, temporary: boolean, ifExists: boolean, pos?: SqlPosition): void {
    const key = pathToString(path);
    const from = temporary ? this.temporaryRelations : this.relations;
    const found = from.get(key);
    const label = `${temporary ? 'Temporary ' : ''}${kind === 'table' ? 'table' : 'view'}`;
    if (found === undefined) {
      if (ifExists) return;
      const hint = !temporary && this.temporaryRelations.has(key) ? ` (a temporary ${this.temporaryRelations.get(key)!.kind} of that name exists: use DROP TEMPORARY ${kind.toUpperCase()})` : '';
      throw new SqlError('MR_ERR_SQL_CATALOG', `${label} '${key}' does not exist${hint}`, pos);
    }
    if (found.kind !== kind) {
      throw new SqlError('MR_ERR_SQL_CATALOG', `'${key}' is a ${found.kind}, not a ${kind}: use DROP ${found.kind.toUpperCase()}`, pos);
    }
    from.delete(key);
  }

  /** Tables and views visible in the current database, temporary ones included, sorted as SHOW TABLES prints them. */
  listRelations(kind?: 'table' | 'view'): string[] {
    const names = new Set<string>();
    for (const r of [...this.relations.values(), ...this.temporaryRelations.values()]) {
      if (r.path.catalog !== this.currentCatalogName || r.path.database !== this.currentDatabaseName) continue;
      if (kind === 'view' && r.kind !== 'view') continue;
      names.add(r.path.name);
    }
    return [...names].sort();
  }

  createFunction(fn: CatalogFunction, ifNotExists: boolean, pos?: SqlPosition): void {
    const target = fn.system ? this.systemFunctions : fn.temporary ? this.temporaryFunctions : this.functions;
    const key = fn.system ? fn.path.name.toLowerCase() : pathToString(fn.path).toLowerCase();
    if (target.has(key)) {
      if (ifNotExists) return;
      throw new SqlError('MR_ERR_SQL_CATALOG', `${fn.system ? 'Temporary system function' : fn.temporary ? 'Temporary function' : 'Function'} '${fn.system ? fn.path.name : pathToString(fn.path)}' already exists`, pos);
    }
    target.set(key, fn);
  }

  dropFunction(path: ObjectPath, temporary: boolean, system: boolean, ifExists: boolean, pos?: SqlPosition): void {
    const target = system ? this.systemFunctions : temporary ? this.temporaryFunctions : this.functions;
    const key = system ? path.name.toLowerCase() : pathToString(path).toLowerCase();
    if (!target.delete(key) && !ifExists) {
      throw new SqlError('MR_ERR_SQL_CATALOG', `${system ? 'Temporary system function' : temporary ? 'Temporary function' : 'Function'} '${system ? path.name : pathToString(path)}' does not exist`, pos);
    }
  }

  /**
   * A user function by name, in Flink's order: temporary system function, then (for a one-part
   * name) the built-in — the caller checks that — then temporary and catalog functions.
   * Function names are case-insensitive, as in Flink.
   */
  getSystemFunction(name: string): CatalogFunction | undefined {
    return this.systemFunctions.get(name.toLowerCase());
  }

  getCatalogFunction(path: ObjectPath): CatalogFunction | undefined {
    const key = pathToString(path).toLowerCase();
    return this.temporaryFunctions.get(key) ?? this.functions.get(key);
  }

  /** User-defined functions visible in the current database (SHOW USER FUNCTIONS). */
  listUserFunctions(): string[] {
    const names = new Set<string>([...this.systemFunctions.values()].map((f) => f.path.name));
    for (const f of [...this.functions.values(), ...this.temporaryFunctions.values()]) {
      if (f.path.catalog === this.currentCatalogName && f.path.database === this.currentDatabaseName) names.add(f.path.name);
    }
    return [...names].sort();
  }
}
