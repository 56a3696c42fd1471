import type { SqlError } from '../errors.ts';
import type { CatalogTable } from './catalog-objects.ts';
import { SessionCatalog } from './session-catalog.ts';

function table(catalog: SessionCatalog, name: string, temporary = false): CatalogTable {
  return { kind: 'table', path: catalog.qualify([name]), schema: { columns: [] }, options: {}, partitionKeys: [], temporary };
}

function code(f: () => void): string | undefined {
  try { f(); } catch (e) { return (e as SqlError).message; }
  return undefined;
}

describe('session catalog', () => {
  it('qualifies names with the current catalog and database', () => {
    const c = new SessionCatalog();
    expect(c.qualify(['t'])).toEqual({ catalog: 'default_catalog', database: 'default_database', name: 't' });
    expect(c.qualify(['db', 't'])).toEqual({ catalog: 'default_catalog', database: 'db', name: 't' });
    expect(code(() => c.qualify(['a', 'b', 'c', 'd'], { line: 1, column: 5 }))).toMatch(/^MR_ERR_SQL_VALIDATE: line 1, column 5: 'a.b.c.d' is not a valid object name/);
  });

  it('refuses a second table of the same name unless IF NOT EXISTS, and lets a temporary one shadow it', () => {
    const c = new SessionCatalog();
    c.createRelation(table(c, 't'), false);
    expect(code(() => c.createRelation(table(c, 't'), false))).toBe("MR_ERR_SQL_CATALOG: Table 'default_catalog.default_database.t' already exists");
    c.createRelation(table(c, 't'), true);
    const temp = table(c, 't', true);
    c.createRelation(temp, false);
    expect(c.getRelation(c.qualify(['t']))).toBe(temp);
    expect(c.listRelations()).toEqual(['t']);
  });

  it('drops with the right kind and says how when it cannot', () => {
    const c = new SessionCatalog();
    c.createRelation(table(c, 't', true), false);
    expect(code(() => c.dropRelation('table', c.qualify(['t']), false, false))).toContain('a temporary table of that name exists: use DROP TEMPORARY TABLE');
    expect(code(() => c.dropRelation('view', c.qualify(['t']), true, false))).toContain("is a table, not a view: use DROP TABLE");
    c.dropRelation('table', c.qualify(['t']), true, false);
    expect(c.getRelation(c.qualify(['t']))).toBeUndefined();
    c.dropRelation('table', c.qualify(['t']), true, true);
  });

  it('needs an existing database for permanent objects; databases and catalogs can be created and used', () => {
    const c = new SessionCatalog();
    expect(code(() => c.createRelation(table(c, 'x') && { ...table(c, 'x'), path: c.qualify(['db1', 'x']) }, false))).toContain("database 'default_catalog.db1' does not exist");
    c.createDatabase(['db1'], false);
    c.useDatabase(['db1']);
    expect(c.currentDatabase).toBe('db1');
    expect(c.listDatabases()).toEqual(['db1', 'default_database']);
    c.createCatalog('c2', false);
    c.useCatalog('c2');
    expect([c.currentCatalog, c.currentDatabase]).toEqual(['c2', 'default_database']);
  });

  it('finds functions case-insensitively, temporary system functions by one-part name', () => {
    const c = new SessionCatalog();
    c.createFunction({ path: c.qualify(['MyFn']), identifier: 'm.ts#f', language: 'JAVASCRIPT', temporary: false, system: false }, false);
    c.createFunction({ path: { catalog: '', database: '', name: 'sysfn' }, identifier: 'm.ts#g', language: 'JAVASCRIPT', temporary: true, system: true }, false);
    expect(c.getCatalogFunction(c.qualify(['myfn']))?.identifier).toBe('m.ts#f');
    expect(c.getSystemFunction('SYSFN')?.identifier).toBe('m.ts#g');
    expect(c.listUserFunctions()).toEqual(['MyFn', 'sysfn']);
    expect(code(() => c.dropFunction(c.qualify(['nope']), false, false, false))).toBe("MR_ERR_SQL_CATALOG: Function 'default_catalog.default_database.nope' does not exist");
  });
});
