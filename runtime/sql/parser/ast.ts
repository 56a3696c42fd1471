// The typed syntax tree of Flink SQL. Every node carries `pos` (line and column of its first
// token), so later layers (validator, planner) report errors where the user wrote the thing.
// Names are kept as written; case-sensitivity is decided by the catalog, as in Flink
// (identifiers are case-sensitive, keywords are not).
import type { SqlPosition } from '../errors.ts';
import type { DataType, IntervalResolution } from '../types/data-type.ts';

export type Pos = SqlPosition;

/** A possibly qualified name as written: `cat.db.tbl`, `B.price`. */
export interface Name {
  parts: string[];
  pos: Pos;
}

export interface TypeNode {
  kind: 'type';
  type: DataType;
  pos: Pos;
}

// ---------------------------------------------------------------------------------------------
// Expressions

export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '||' | '=' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR';

export type Expr =
  | { kind: 'identifier'; parts: string[]; pos: Pos }
  /** `*` or `t.*` in a select list or `COUNT(*)`. */
  | { kind: 'star'; qualifier: string[]; pos: Pos }
  /** Exact text kept, so DECIMAL and BIGINT beyond 2^53 stay exact. */
  | { kind: 'numeric'; text: string; pos: Pos }
  | { kind: 'string'; value: string; pos: Pos }
  | { kind: 'binaryString'; hex: string; pos: Pos }
  | { kind: 'boolean'; value: boolean; pos: Pos }
  | { kind: 'null'; pos: Pos }
  /** `DATE '2020-01-01'`, `TIME '10:00:00'`, `TIMESTAMP '...'`, `TIMESTAMP_LTZ '...'`. */
  | { kind: 'typedLiteral'; type: 'DATE' | 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ'; value: string; pos: Pos }
  /** `INTERVAL '4' SECOND`, `INTERVAL '1 10:00' DAY TO MINUTE`, `INTERVAL - '2' HOUR`. */
  | { kind: 'interval'; negative: boolean; value: string; resolution: IntervalResolution; precision?: number; fractionalPrecision?: number; pos: Pos }
  | { kind: 'unary'; op: '-' | '+' | 'NOT'; operand: Expr; pos: Pos }
  | { kind: 'binary'; op: BinaryOperator; left: Expr; right: Expr; pos: Pos }
  | { kind: 'is'; negated: boolean; test: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN'; operand: Expr; pos: Pos }
  | { kind: 'isDistinctFrom'; negated: boolean; left: Expr; right: Expr; pos: Pos }
  | { kind: 'between'; negated: boolean; symmetric: boolean; operand: Expr; low: Expr; high: Expr; pos: Pos }
  | { kind: 'in'; negated: boolean; operand: Expr; list: Expr[]; pos: Pos }
  | { kind: 'inQuery'; negated: boolean; operand: Expr; query: Query; pos: Pos }
  | { kind: 'like'; op: 'LIKE' | 'SIMILAR TO'; negated: boolean; operand: Expr; pattern: Expr; escape?: Expr; pos: Pos }
  | { kind: 'case'; operand?: Expr; whens: { when: Expr; then: Expr }[]; else?: Expr; pos: Pos }
  | { kind: 'cast'; safe: boolean; operand: Expr; target: TypeNode; pos: Pos }
  | { kind: 'call'; name: string[]; args: Expr[]; distinct: boolean; filter?: Expr; over?: WindowSpec; nullTreatment?: 'IGNORE' | 'RESPECT'; json?: JsonClauses; pos: Pos }
  /** `EXTRACT(HOUR FROM ts)`. */
  | { kind: 'extract'; unit: string; operand: Expr; pos: Pos }
  /** A table argument of a table-valued function: `TABLE bid`, or `TABLE(...)` / a subquery. */
  | { kind: 'tableArg'; name?: Name; query?: Query; partitionBy?: Expr[]; pos: Pos }
  | { kind: 'descriptor'; columns: string[]; pos: Pos }
  /** A named argument `SIZE => INTERVAL '10' MINUTES`. */
  | { kind: 'namedArg'; name: string; value: Expr; pos: Pos }
  | { kind: 'subquery'; query: Query; pos: Pos }
  | { kind: 'exists'; query: Query; pos: Pos }
  | { kind: 'array'; elements: Expr[]; pos: Pos }
  | { kind: 'arrayQuery'; query: Query; pos: Pos }
  | { kind: 'map'; entries: { key: Expr; value: Expr }[]; pos: Pos }
  /** `ROW(a, b)` (explicit) or `(a, b)` (implicit). */
  | { kind: 'row'; fields: Expr[]; explicit: boolean; pos: Pos }
  /** `arr[1]`, `m['key']`. */
  | { kind: 'item'; target: Expr; index: Expr; pos: Pos }
  /** `(expr).field`, or `expr.field` after an item access. */
  | { kind: 'field'; target: Expr; name: string; pos: Pos }
  /** An interval unit used as an argument (`TIMESTAMPADD(HOUR, ...)`), or `TRIM(BOTH ...)`'s flag. */
  | { kind: 'symbol'; value: string; pos: Pos };

/** The clauses of JSON_VALUE / JSON_QUERY / JSON_EXISTS / JSON_OBJECT / JSON_ARRAY. */
export interface JsonClauses {
  returning?: TypeNode;
  /** `NULL|ERROR|DEFAULT x|EMPTY ARRAY|EMPTY OBJECT|TRUE|FALSE|UNKNOWN ON EMPTY|ERROR`, `NULL|ABSENT ON NULL`. */
  behaviors: { on: 'EMPTY' | 'ERROR' | 'NULL'; action: string; default?: Expr }[];
  /** JSON_QUERY's `WITHOUT|WITH [CONDITIONAL|UNCONDITIONAL] [ARRAY] WRAPPER`. */
  wrapper?: 'WITHOUT' | 'CONDITIONAL' | 'UNCONDITIONAL';
}

export type ExprKind = Expr['kind'];
export type ExprOf<K extends ExprKind> = Extract<Expr, { kind: K }>;

export type FrameBound =
  | { kind: 'unboundedPreceding' | 'unboundedFollowing' | 'currentRow'; pos: Pos }
  | { kind: 'preceding' | 'following'; offset: Expr; pos: Pos };

export interface WindowSpec {
  /** A named window: `OVER w`, or the base of `OVER (w ...)`. */
  ref?: string;
  partitionBy: Expr[];
  orderBy: OrderItem[];
  frame?: { unit: 'ROWS' | 'RANGE'; start: FrameBound; end?: FrameBound; pos: Pos };
  pos: Pos;
}

export interface OrderItem {
  expr: Expr;
  direction: 'ASC' | 'DESC';
  nulls?: 'FIRST' | 'LAST';
  pos: Pos;
}

// ---------------------------------------------------------------------------------------------
// Queries

export interface SelectItem {
  expr: Expr;
  alias?: string;
  pos: Pos;
}

export type GroupItem =
  | { kind: 'expr'; expr: Expr; pos: Pos }
  | { kind: 'groupingSets' | 'rollup' | 'cube'; sets: Expr[][]; pos: Pos }
  | { kind: 'empty'; pos: Pos };

export interface Select {
  kind: 'select';
  distinct: boolean;
  items: SelectItem[];
  from?: TableRef;
  where?: Expr;
  groupBy: GroupItem[];
  having?: Expr;
  windows: { name: string; spec: WindowSpec; pos: Pos }[];
  pos: Pos;
}

export interface SetOperation {
  kind: 'setOp';
  op: 'UNION' | 'INTERSECT' | 'EXCEPT';
  all: boolean;
  left: QueryBody;
  right: QueryBody;
  pos: Pos;
}

export interface Values {
  kind: 'values';
  rows: Expr[][];
  pos: Pos;
}

export type QueryBody = Select | SetOperation | Values | Query;

export interface Cte {
  name: string;
  columns?: string[];
  query: Query;
  pos: Pos;
}

export interface Query {
  kind: 'query';
  with: Cte[];
  body: QueryBody;
  orderBy: OrderItem[];
  limit?: Expr;
  offset?: Expr;
  pos: Pos;
}

export interface Alias {
  name: string;
  columns?: string[];
}

export type TableRef =
  /** `options`: dynamic table options from a `/*+ OPTIONS('k' = 'v') *\/` hint after the name. */
  | { kind: 'table'; name: Name; alias?: Alias; systemTimeAsOf?: Expr; options?: TableOption[]; pos: Pos }
  | { kind: 'derived'; query: Query; lateral: boolean; alias?: Alias; pos: Pos }
  /** `TABLE(TUMBLE(...))` and `LATERAL TABLE(split(s))`. */
  | { kind: 'tableFunction'; call: ExprOf<'call'>; lateral: boolean; alias?: Alias; pos: Pos }
  | { kind: 'unnest'; args: Expr[]; withOrdinality: boolean; alias?: Alias; pos: Pos }
  | {
      kind: 'join';
      /** COMMA is `FROM a, b` (a cross join Flink turns into an inner join with the WHERE). */
      joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS' | 'COMMA';
      natural: boolean;
      left: TableRef;
      right: TableRef;
      on?: Expr;
      using?: string[];
      pos: Pos;
    };

// ---------------------------------------------------------------------------------------------
// Statements

export type ColumnDef =
  | { kind: 'physical'; name: string; type: TypeNode; comment?: string; primaryKey: boolean; pos: Pos }
  | { kind: 'computed'; name: string; expr: Expr; comment?: string; pos: Pos }
  | { kind: 'metadata'; name: string; type: TypeNode; from?: string; virtual: boolean; comment?: string; pos: Pos };

export interface TableOption {
  key: string;
  value: string;
  pos: Pos;
}

export type LikeOption = { mode: 'INCLUDING' | 'EXCLUDING' | 'OVERWRITING'; what: 'ALL' | 'CONSTRAINTS' | 'GENERATED' | 'METADATA' | 'OPTIONS' | 'PARTITIONS' | 'WATERMARKS' };

export interface CreateTable {
  kind: 'createTable';
  temporary: boolean;
  ifNotExists: boolean;
  name: Name;
  columns: ColumnDef[];
  watermark?: { column: string; expr: Expr; pos: Pos };
  primaryKey?: { constraintName?: string; columns: string[]; pos: Pos };
  comment?: string;
  partitionedBy: string[];
  options: TableOption[];
  like?: { name: Name; options: LikeOption[]; pos: Pos };
  /** CREATE TABLE ... AS SELECT. */
  asQuery?: Query;
  pos: Pos;
}

export interface CreateView {
  kind: 'createView';
  temporary: boolean;
  ifNotExists: boolean;
  name: Name;
  columns?: string[];
  comment?: string;
  query: Query;
  /** The query's text as written, kept for SHOW CREATE VIEW and DESCRIBE. */
  queryText: string;
  pos: Pos;
}

export interface CreateFunction {
  kind: 'createFunction';
  temporary: boolean;
  system: boolean;
  ifNotExists: boolean;
  name: Name;
  /** The implementation: a Java class name in Flink, `module.ts#export` with LANGUAGE JAVASCRIPT here. */
  identifier: string;
  language?: 'JAVA' | 'SCALA' | 'PYTHON' | 'JAVASCRIPT';
  using: { kind: 'JAR' | 'FILE' | 'ARCHIVE'; uri: string }[];
  /** Where the USING clause starts, when there is one. */
  usingPos?: Pos;
  pos: Pos;
}

export interface CreateDatabase {
  kind: 'createDatabase' | 'createCatalog';
  ifNotExists: boolean;
  name: Name;
  options: TableOption[];
  comment?: string;
  pos: Pos;
}

export interface Drop {
  kind: 'drop';
  object: 'TABLE' | 'VIEW' | 'FUNCTION' | 'DATABASE' | 'CATALOG';
  temporary: boolean;
  system: boolean;
  ifExists: boolean;
  name: Name;
  cascade: boolean;
  pos: Pos;
}

export interface Insert {
  kind: 'insert';
  overwrite: boolean;
  target: Name;
  partition: TableOption[];
  columns?: string[];
  query: Query;
  pos: Pos;
}

export interface StatementSet {
  kind: 'statementSet';
  syntax: 'EXECUTE' | 'BEGIN';
  inserts: Insert[];
  pos: Pos;
}

export interface QueryStatement {
  kind: 'queryStatement';
  query: Query;
  pos: Pos;
}

export interface SetStatement {
  kind: 'set';
  key?: string;
  value?: string;
  pos: Pos;
}

export interface ResetStatement {
  kind: 'reset';
  key?: string;
  pos: Pos;
}

export interface Explain {
  kind: 'explain';
  /** ESTIMATED_COST, CHANGELOG_MODE, PLAN_ADVICE, JSON_EXECUTION_PLAN. */
  details: string[];
  statement: Statement;
  pos: Pos;
}

export interface Show {
  kind: 'show';
  what: 'TABLES' | 'VIEWS' | 'FUNCTIONS' | 'USER FUNCTIONS' | 'CATALOGS' | 'DATABASES' | 'CURRENT CATALOG' | 'CURRENT DATABASE' | 'COLUMNS' | 'CREATE TABLE' | 'CREATE VIEW' | 'JARS' | 'MODULES';
  /** The table or view for SHOW COLUMNS / SHOW CREATE. */
  name?: Name;
  like?: { negated: boolean; pattern: string };
  pos: Pos;
}

export interface Describe {
  kind: 'describe';
  extended: boolean;
  name: Name;
  pos: Pos;
}

export interface Use {
  kind: 'use';
  catalog: boolean;
  name: Name;
  pos: Pos;
}

export type Statement =
  | CreateTable
  | CreateView
  | CreateFunction
  | CreateDatabase
  | Drop
  | Insert
  | StatementSet
  | QueryStatement
  | SetStatement
  | ResetStatement
  | Explain
  | Show
  | Describe
  | Use;

export type StatementKind = Statement['kind'];
