// Validation of a table's WITH options against a connector and its format, with Flink's kind
// of messages (ValidationException: "Unsupported options found for 'datagen' ... Supported
// options: ..."): every unsupported, missing or malformed option is named, all at once, with the
// list of valid ones. Secret references are resolved before typed parsing, but messages show the
// option as written, so a secret's value never appears.

import type { z } from 'zod';
import type { OptionPattern, TableConnector, TableDescriptor } from './connector.ts';
import { ConnectorError } from './errors.ts';
import type { FormatFactory } from './format.ts';
import type { SecretResolver } from './secrets.ts';

export interface ValidatedOptions {
  readonly connector: Record<string, unknown>;
  readonly format: { factory: FormatFactory; options: Record<string, unknown> } | undefined;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

function nearest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(3, Math.floor(key.length / 3)) + 1;
  for (const c of candidates) {
    const dd = distance(key, c);
    if (dd < bestD) {
      best = c;
      bestD = dd;
    }
  }
  return best;
}

const requiredKeys = (schema: z.ZodObject): string[] =>
  Object.entries(schema.shape).filter(([, s]) => !(s as z.ZodType).safeParse(undefined).success).map(([k]) => k);

/** Parses `given` (key → raw string) with a zod object; problems are pushed as "'key': message". */
function parseObject(schema: z.ZodObject, given: Record<string, string>, prefix: string, problems: string[]): Record<string, unknown> {
  const res = schema.safeParse(given);
  if (res.success) return res.data as Record<string, unknown>;
  for (const issue of res.error.issues) {
    const key = String(issue.path[0] ?? '');
    if (given[key] === undefined) continue; // reported as missing
    problems.push(`option '${prefix}${key}': ${issue.message}`);
  }
  return {};
}

export function validateTableOptions(
  table: TableDescriptor,
  connector: TableConnector,
  formats: ReadonlyMap<string, FormatFactory>,
  secrets: SecretResolver,
): ValidatedOptions {
  const raw = table.options;
  const problems: string[] = [];
  const fail = (code: 'MR_ERR_CONNECTOR_OPTIONS' | 'MR_ERR_FORMAT_UNKNOWN', text: string): never => {
    throw new ConnectorError(code, secrets.redact(`table '${table.name}' (connector '${connector.name}'): ${text}`));
  };

  // which format, if any
  let format: FormatFactory | undefined;
  if (connector.usesFormat) {
    const name = raw.format;
    if (name === undefined) fail('MR_ERR_CONNECTOR_OPTIONS', `missing required option 'format'; formats: ${[...formats.keys()].map((f) => `'${f}'`).join(', ')}`);
    format = formats.get(name!);
    if (!format) fail('MR_ERR_FORMAT_UNKNOWN', `'format' = '${name}' is not a format; formats: ${[...formats.keys()].map((f) => `'${f}'`).join(', ')}`);
  }

  // sort keys into connector options, pattern options and format options
  const connectorKeys = Object.keys(connector.options.shape);
  const formatKeys = format ? Object.keys(format.options.shape).map((k) => `${format!.name}.${k}`) : [];
  const supported = ['connector', ...(format ? ['format'] : []), ...connectorKeys, ...(connector.optionPatterns ?? []).map((p) => p.display), ...formatKeys];
  const connectorGiven: Record<string, string> = {};
  const formatGiven: Record<string, string> = {};
  const patternGiven: Array<{ key: string; value: string; pattern: OptionPattern }> = [];
  const unsupported: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'connector' || (format && key === 'format')) continue;
    const resolved = (): string => secrets.resolve(value, `table '${table.name}', option '${key}'`);
    if (connectorKeys.includes(key)) connectorGiven[key] = resolved();
    else if (format && key.startsWith(`${format.name}.`) && formatKeys.includes(key)) formatGiven[key.slice(format.name.length + 1)] = resolved();
    else {
      const pattern = connector.optionPatterns?.find((p) => p.pattern.test(key));
      if (pattern) patternGiven.push({ key, value: resolved(), pattern });
      else unsupported.push(key);
    }
  }
  if (unsupported.length > 0) {
    const hints = unsupported.map((k) => {
      const near = nearest(k, [...connectorKeys, ...formatKeys, 'format']);
      return near ? `'${k}' (did you mean '${near}'?)` : `'${k}'`;
    });
    problems.push(`unsupported option${unsupported.length > 1 ? 's' : ''} ${hints.join(', ')}`);
  }
  const missing = requiredKeys(connector.options).filter((k) => connectorGiven[k] === undefined);
  if (format) missing.push(...requiredKeys(format.options).filter((k) => formatGiven[k] === undefined).map((k) => `${format!.name}.${k}`));
  if (missing.length > 0) problems.push(`missing required option${missing.length > 1 ? 's' : ''} ${missing.map((k) => `'${k}'`).join(', ')}`);

  const connectorOptions = parseObject(connector.options, connectorGiven, '', problems);
  for (const p of patternGiven) {
    const res = p.pattern.schema.safeParse(p.value);
    if (res.success) connectorOptions[p.key] = res.data;
    else problems.push(...res.error.issues.map((i) => `option '${p.key}': ${i.message}`));
  }
  const formatOptions = format ? parseObject(format.options, formatGiven, `${format.name}.`, problems) : {};
  if (problems.length > 0) {
    fail('MR_ERR_CONNECTOR_OPTIONS', `${problems.join('; ')}. Supported options: ${supported.join(', ')}`);
  }
  return { connector: connectorOptions, format: format ? { factory: format, options: formatOptions } : undefined };
}
