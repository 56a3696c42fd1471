// Option values of the WITH clause are strings; these zod schemas turn them into typed values
// with Flink's spellings (`true`/`false`, `10 s`, `200b`), so connectors declare their options as
// a zod object of these. Every schema reports problems in words a person can act on.

import { z } from 'zod';

/** Any string (a path, a name). */
export const stringOption = () => z.string();

export const intOption = (min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
  z.string().transform((s, ctx) => {
    const v = Number(s.trim());
    if (s.trim() === '' || !Number.isSafeInteger(v)) {
      ctx.addIssue({ code: 'custom', message: `expected an integer, got '${s}'` });
      return z.NEVER;
    }
    if (v < min || v > max) {
      ctx.addIssue({ code: 'custom', message: `expected an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}, got ${v}` });
      return z.NEVER;
    }
    return v;
  });

export const numberOption = () =>
  z.string().transform((s, ctx) => {
    const v = Number(s.trim());
    if (s.trim() === '' || !Number.isFinite(v)) {
      ctx.addIssue({ code: 'custom', message: `expected a number, got '${s}'` });
      return z.NEVER;
    }
    return v;
  });

export const booleanOption = () =>
  z.string().transform((s, ctx) => {
    const v = s.trim().toLowerCase();
    if (v !== 'true' && v !== 'false') {
      ctx.addIssue({ code: 'custom', message: `expected true or false, got '${s}'` });
      return z.NEVER;
    }
    return v === 'true';
  });

/** One of fixed values, compared case-insensitively as Flink does for enum options; returns the canonical spelling. */
export const enumOption = <const V extends string>(values: readonly V[]) =>
  z.string().transform((s, ctx): V => {
    const hit = values.find((v) => v.toLowerCase() === s.trim().toLowerCase());
    if (hit === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected one of ${values.map((v) => `'${v}'`).join(', ')}, got '${s}'` });
      return z.NEVER;
    }
    return hit;
  });

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6, nano: 1e-6, nanos: 1e-6, nanosecond: 1e-6, nanoseconds: 1e-6,
  us: 1e-3, micro: 1e-3, micros: 1e-3, microsecond: 1e-3, microseconds: 1e-3,
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  min: 60_000, m: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

/** Parses Flink's duration syntax (`10 s`, `500ms`, `1 min`; a bare number is milliseconds) to milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const factor = unit === '' ? 1 : DURATION_UNITS[unit];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

export const durationOption = () =>
  z.string().transform((s, ctx) => {
    const v = parseDurationMs(s);
    if (v === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration such as '10 s', '500 ms' or '1 min', got '${s}'` });
      return z.NEVER;
    }
    return v;
  });

const MEMORY_UNITS: Record<string, number> = {
  '': 1, b: 1, bytes: 1, k: 1024, kb: 1024, kibibytes: 1024, m: 1024 ** 2, mb: 1024 ** 2, mebibytes: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gibibytes: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tebibytes: 1024 ** 4,
};

/** Flink's memory sizes (`200b`, `1 kb`, `64mb`) in bytes. */
export const memoryOption = () =>
  z.string().transform((s, ctx) => {
    const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(s);
    const factor = m ? MEMORY_UNITS[m[2]!.toLowerCase()] : undefined;
    if (!m || factor === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a memory size such as '200b', '1 kb' or '64 mb', got '${s}'` });
      return z.NEVER;
    }
    return Number(m[1]) * factor;
  });

/** A single character (CSV delimiters, quotes); Flink also accepts `\t` written as two characters. */
export const charOption = () =>
  z.string().transform((s, ctx) => {
    const v = s === '\\t' ? '\t' : s;
    if (v.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `expected a single character, got '${s}'` });
      return z.NEVER;
    }
    return v;
  });
