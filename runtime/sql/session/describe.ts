// DESCRIBE output as Flink prints it: one row per column with name, type, null, key, extras
// (computed expression or METADATA) and watermark.
import type { CatalogRelation } from '../catalog/catalog-objects.ts';
import { typeToString } from '../types/data-type.ts';
import type { Field } from '../planner/logical-plan.ts';
import type { ResultTable } from './result.ts';

export const DESCRIBE_COLUMNS = ['name', 'type', 'null', 'key', 'extras', 'watermark'];

export function describeRelation(rel: CatalogRelation, viewFields?: Field[]): ResultTable {
  if (rel.kind === 'view') {
    const rows = (viewFields ?? []).map((f) => [f.name, typeToString(f.type).replace(/ NOT NULL/, ''), f.type.nullable ? 'TRUE' : 'FALSE', '', '', '']);
    return { columns: DESCRIBE_COLUMNS, rows };
  }
  const pk = rel.schema.primaryKey;
  const rows = rel.schema.columns.map((c) => {
    const type = typeToString(c.type).replace(/ NOT NULL/, '');
    const key = pk?.columns.includes(c.name) ? `PRI(${pk.columns.join(', ')})` : '';
    let extras = '';
    if (c.kind === 'computed') extras = `AS ${c.exprText}`;
    if (c.kind === 'metadata') extras = `METADATA${c.key !== undefined ? ` FROM '${c.key}'` : ''}${c.virtual ? ' VIRTUAL' : ''}`;
    const wm = rel.schema.watermark?.column === c.name ? rel.schema.watermark.exprText : '';
    return [c.name, type, c.type.nullable ? 'TRUE' : 'FALSE', key, extras, wm];
  });
  return { columns: DESCRIBE_COLUMNS, rows };
}
