// Java user-defined functions of the Nexmark queries and their JAVASCRIPT ports: Flink runs the
// Java class (bench/flink-sql has it in the oracle jar), Millrace the port. sql:conformance gives
// Millrace the port in place of a file's Java CREATE FUNCTION; sql:compare gives Flink the Java
// class in place of a port's JAVASCRIPT CREATE FUNCTION (Flink's parser does not know JAVASCRIPT).

import path from 'node:path';

const REPO = new URL('../../../', import.meta.url).pathname;

/**
 * Java functions of the Nexmark queries and their JAVASCRIPT ports: Flink runs the Java class (in
 * the oracle jar), Millrace the port, registered in place of the file's CREATE FUNCTION.
 */
export const JAVASCRIPT_PORTS: Readonly<Record<string, string>> = {
  'com.github.nexmark.flink.udf.CountChar': 'examples/sql/udf/count-char.ts#count_char',
};

export interface PortedFunction {
  readonly name: string;
  readonly javaClass: string;
  readonly port: string;
}

/** The query text for Millrace: each CREATE FUNCTION of a Java class with a port registers the port instead. */
export function withJavascriptPorts(sql: string, repo = REPO): { sql: string; ported: PortedFunction[] } {
  const ported: PortedFunction[] = [];
  const out = sql.replace(/CREATE\s+((?:TEMPORARY\s+)?(?:SYSTEM\s+)?)FUNCTION\s+(?:IF\s+NOT\s+EXISTS\s+)?(`?)(\w+)\2\s+AS\s+'([^']+)'(?:\s+LANGUAGE\s+(?:JAVA|SCALA))?/gi, (m, modifiers: string, _q: string, name: string, identifier: string) => {
    const port = JAVASCRIPT_PORTS[identifier];
    if (port === undefined) return m;
    ported.push({ name, javaClass: identifier, port: port.split('#')[0]! });
    return `CREATE ${modifiers}FUNCTION ${name} AS '${path.join(repo, port)}' LANGUAGE JAVASCRIPT`;
  });
  return { sql: out, ported };
}

/** Flink's copy of a statement: a CREATE FUNCTION of a known JAVASCRIPT port (module relative to baseDir) registers the Java class. */
export function withJavaClasses(statement: string, baseDir: string, repo = REPO): { statement: string; ported: PortedFunction[] } {
  const ported: PortedFunction[] = [];
  const out = statement.replace(/(CREATE\s+(?:TEMPORARY\s+)?(?:SYSTEM\s+)?FUNCTION\s+(?:IF\s+NOT\s+EXISTS\s+)?)(`?)(\w+)\2\s+AS\s+'([^'#]+)#(\w+)'\s+LANGUAGE\s+JAVASCRIPT/gi, (m, head: string, q: string, name: string, file: string, exported: string) => {
    const module = path.resolve(baseDir, file);
    const entry = Object.entries(JAVASCRIPT_PORTS).find(([, port]) => path.join(repo, port.split('#')[0]!) === module && port.split('#')[1] === exported);
    if (!entry) return m;
    ported.push({ name, javaClass: entry[0], port: path.relative(repo, module) });
    return `${head}${q}${name}${q} AS '${entry[0]}'`;
  });
  return { statement: out, ported };
}
