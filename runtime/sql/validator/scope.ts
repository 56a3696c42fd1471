// Name resolution: which input field a name denotes. A scope lists the relations of a FROM
// clause (their alias and fields, at an offset in the joined row). Names are case-sensitive, as
// in Flink; a near miss in case is suggested in the error, as Calcite does.
import { SqlError } from '../errors.ts';
import type { Pos } from '../parser/ast.ts';
import type { Field } from '../planner/logical-plan.ts';

export interface ScopeRelation {
  /** The alias or table name the relation is known by in this query (undefined for a nameless derived table). */
  alias: string | undefined;
  fields: Field[];
  /** Index of the relation's first field in the scope's row. */
  offset: number;
}

export interface Resolved {
  index: number;
  field: Field;
  /** Parts after the column: ROW field accesses (`person.id` when `person` is a column). */
  rest: string[];
}

export class Scope {
  readonly relations: ScopeRelation[] = [];

  static of(relations: { alias: string | undefined; fields: Field[] }[]): Scope {
    const s = new Scope();
    for (const r of relations) s.add(r.alias, r.fields);
    return s;
  }

  add(alias: string | undefined, fields: Field[]): void {
    this.relations.push({ alias, fields, offset: this.width });
  }

  get width(): number {
    return this.relations.reduce((n, r) => n + r.fields.length, 0);
  }

  /** All fields in row order. */
  get fields(): Field[] {
    return this.relations.flatMap((r) => r.fields);
  }

  relation(alias: string): ScopeRelation | undefined {
    return this.relations.find((r) => r.alias === alias);
  }

  resolve(parts: readonly string[], pos: Pos): Resolved {
    if (parts.length >= 2) {
      const rel = this.relation(parts[0]!);
      if (rel !== undefined) {
        const i = rel.fields.findIndex((f) => f.name === parts[1]);
        if (i < 0) throw new SqlError('MR_ERR_SQL_VALIDATE', `Column '${parts[1]}' not found in table '${parts[0]}'${suggest(parts[1]!, rel.fields.map((f) => f.name))}`, pos);
        return { index: rel.offset + i, field: rel.fields[i]!, rest: parts.slice(2) };
      }
    }
    const name = parts[0]!;
    const hits: Resolved[] = [];
    for (const rel of this.relations) {
      rel.fields.forEach((f, i) => {
        if (f.name === name) hits.push({ index: rel.offset + i, field: f, rest: parts.slice(1) });
      });
    }
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) throw new SqlError('MR_ERR_SQL_VALIDATE', `Column '${name}' is ambiguous: qualify it with a table alias (${this.relations.filter((r) => r.fields.some((f) => f.name === name)).map((r) => `${r.alias ?? '?'}.${name}`).join(', ')})`, pos);
    if (parts.length >= 2) {
      const aliases = this.relations.map((r) => r.alias).filter((a): a is string => a !== undefined);
      throw new SqlError('MR_ERR_SQL_VALIDATE', `Table '${parts[0]}' not found: neither a table alias of this query nor a column${suggest(parts[0]!, [...aliases, ...this.fields.map((f) => f.name)])}`, pos);
    }
    throw new SqlError('MR_ERR_SQL_VALIDATE', `Column '${name}' not found in any table${suggest(name, this.fields.map((f) => f.name))}`, pos);
  }
}

/** "; did you mean 'dateTime'?" for a name that differs only in case (or is one edit away). */
export function suggest(name: string, candidates: readonly string[]): string {
  const lower = name.toLowerCase();
  const sameCase = candidates.find((c) => c.toLowerCase() === lower);
  if (sameCase !== undefined) return `; did you mean '${sameCase}'? (names are case-sensitive)`;
  return '';
}
