// Text edits the oracle harness makes to a SQL file: the Nexmark project's `${NAME}` placeholders,
// and a CREATE TABLE's `WITH (...)` clause replaced by other options (the statement's columns,
// computed columns and WATERMARK stay exactly as the user wrote them).

/**
 * The defaults the Nexmark project's run scripts give its query files' placeholders; FLINK_HOME
 * is the run's directory, where q13's side input (`data/side_input.txt`) is written.
 */
export function nexmarkPlaceholders(events: number, workDir: string): Record<string, string> {
  return {
    TPS: '10000', EVENTS_NUM: String(events), PERSON_PROPORTION: '1', AUCTION_PROPORTION: '3', BID_PROPORTION: '46',
    NEXMARK_TABLE: 'datagen', BOOTSTRAP_SERVERS: 'localhost:9092', FLINK_HOME: workDir,
  };
}

/** The Nexmark project's side input for q13 (SideInputGenerator --num 10000): lines `i,i`. */
export function nexmarkSideInput(rows = 10_000): string {
  return Array.from({ length: rows }, (_, i) => `${i},${i}\n`).join('');
}

export function substitutePlaceholders(sql: string, values: Readonly<Record<string, string>>): string {
  return sql.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (m, name: string) => values[name] ?? m);
}

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

export function withClause(options: Readonly<Record<string, string>>): string {
  return `WITH (\n${Object.entries(options).map(([k, v]) => `  ${quote(k)} = ${quote(v)}`).join(',\n')}\n)`;
}

/**
 * Replaces the last top-level `WITH ( ... )` of a CREATE TABLE statement's text (quotes,
 * backquotes and comments skipped) by `WITH (<options>)`.
 */
export function replaceWithClause(statement: string, options: Readonly<Record<string, string>>): string {
  let depth = 0;
  let withAt = -1;
  let openAt = -1;
  let closeAt = -1;
  let pendingWith = -1;
  for (let i = 0; i < statement.length; i++) {
    const c = statement[i]!;
    if (c === "'" || c === '`' || c === '"') {
      let j = i + 1;
      while (j < statement.length && !(statement[j] === c && statement[j + 1] !== c)) j += statement[j] === c ? 2 : 1;
      i = j;
      continue;
    }
    if (c === '-' && statement[i + 1] === '-') {
      const nl = statement.indexOf('\n', i);
      i = nl < 0 ? statement.length : nl;
      continue;
    }
    if (c === '/' && statement[i + 1] === '*') {
      const end = statement.indexOf('*/', i + 2);
      i = end < 0 ? statement.length : end + 1;
      continue;
    }
    if (depth === 0 && /^with\b/i.test(statement.slice(i, i + 5)) && (i === 0 || /[\s)]/.test(statement[i - 1]!))) {
      pendingWith = i;
      i += 3;
      continue;
    }
    if (c === '(') {
      if (depth === 0 && pendingWith >= 0) {
        withAt = pendingWith;
        openAt = i;
      }
      depth++;
    } else if (c === ')') {
      depth--;
      if (depth === 0 && openAt >= 0 && closeAt < openAt) closeAt = i;
    } else if (!/\s/.test(c)) {
      if (depth === 0) pendingWith = -1;
    }
  }
  if (withAt < 0 || closeAt < openAt) throw new Error(`MR_ERR_ORACLE_SQL: no WITH (...) clause in: ${statement.slice(0, 120)}`);
  return statement.slice(0, withAt) + withClause(options) + statement.slice(closeAt + 1);
}
