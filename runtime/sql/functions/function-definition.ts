// How a built-in function is described: its name, kind, the signatures it accepts (as Flink's
// documentation writes them), a return-type rule, and (for scalar functions that codegen can
// inline) a JavaScript snippet. The validator checks calls against `inferType`, which returns
// the result type or a message saying which signature was expected.
import type { DataType } from '../types/data-type.ts';

export type FunctionKind =
  /** one value per row */
  | 'scalar'
  /** many rows → one value (GROUP BY, OVER) */
  | 'aggregate'
  /** ROW_NUMBER, RANK, LAG ...: only with OVER */
  | 'window'
  /** TUMBLE_START, HOP_END ...: auxiliary functions of the legacy GROUP BY windows */
  | 'groupWindowAuxiliary'
  /** TUMBLE, HOP, SESSION in GROUP BY (legacy group windows) */
  | 'groupWindow'
  /** TUMBLE, HOP, CUMULATE, SESSION in FROM TABLE(...) */
  | 'windowTableFunction';

export interface FunctionDefinition {
  name: string;
  kind: FunctionKind;
  /** Signatures as documentation shows them, e.g. `MOD(INT, INT)`. */
  signatures: string[];
  /** Result type for the argument types, or a string saying what is wrong. */
  inferType(args: readonly DataType[]): DataType | string;
  /** Non-deterministic functions are not constant-folded (RAND, NOW, PROCTIME, UUID). */
  deterministic: boolean;
  /**
   * JavaScript for code generation, as an arrow function over non-null arguments (the generated
   * code handles NULL: a NULL argument gives NULL unless `nullHandling` is 'custom').
   */
  js?: string;
  nullHandling?: 'strict' | 'custom';
  description: string;
}
