// Looks up built-in functions by name (case-insensitive, as Flink's function catalog).
// User-defined functions live in the session catalog; the validator asks both.
import { BUILTIN_FUNCTIONS } from './builtins.ts';
import type { FunctionDefinition } from './function-definition.ts';

export class FunctionRegistry {
  private readonly byName = new Map<string, FunctionDefinition>();

  constructor(definitions: readonly FunctionDefinition[] = BUILTIN_FUNCTIONS) {
    for (const d of definitions) this.byName.set(d.name.toUpperCase(), d);
  }

  lookup(name: string): FunctionDefinition | undefined {
    return this.byName.get(name.toUpperCase());
  }

  /** Names for SHOW FUNCTIONS, sorted. */
  names(): string[] {
    return [...this.byName.keys()].map((n) => n.toLowerCase()).sort();
  }

  all(): FunctionDefinition[] {
    return [...this.byName.values()];
  }

  /** Up to three known names close to `name`, for "did you mean" in errors. */
  suggestions(name: string): string[] {
    const upper = name.toUpperCase();
    return [...this.byName.keys()]
      .map((n) => ({ n, d: editDistance(upper, n) }))
      .filter((x) => x.d <= Math.max(1, Math.floor(upper.length / 3)))
      .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
      .slice(0, 3)
      .map((x) => x.n);
  }
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
