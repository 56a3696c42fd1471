// Proves both systems compute the right result before their speeds are compared: the Java
// generator must reproduce the TypeScript events (checksum of the first events), and each
// system's output for the same small bounded input must equal the reference result of
// examples/nexmark/reference (as multisets), so their row counts are equal too.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksumOfFirst, createNexmarkGenerator } from '../../runtime/connectors/nexmark/index.ts';
import type { NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';
import { diffRows, q0, q1, q2, q3, q5, q7, q8 } from '../../examples/nexmark/reference/index.ts';
import { javaArgs } from './flink.ts';
import { runCaptured } from './run-process.ts';

export const VERIFY_EVENTS = 20_000;
export const VERIFY_EVENTS_PER_SECOND = 1000;
/** Window sizes of the verification run (20 s of event time): several windows, non-empty q8. */
export const VERIFY_WINDOWS = { q5WindowMs: 2000, q5SlideMs: 500, q7WindowMs: 1000, q8WindowMs: 10_000 };

export async function generatorChecksumMatches(jar: string, seed: number, count: number): Promise<{ ts: string; java: string }> {
  const ts = checksumOfFirst(createNexmarkGenerator({ seed }).eventAt, count);
  const out = await runCaptured('java', [...javaArgs(jar, 1), '--checksum', String(count), '--seed', String(seed)], { timeoutMs: 300_000 });
  const java = (JSON.parse(out.trim().split('\n').pop() as string) as { checksum: string }).checksum;
  return { ts, java };
}

export function referenceRows(query: string, events: readonly NexmarkEvent[]): object[] {
  switch (query) {
    case 'q0': return q0(events);
    case 'q1': return q1(events);
    case 'q2': return q2(events);
    case 'q3': return q3(events);
    case 'q5': return q5(events, { windowSizeMs: VERIFY_WINDOWS.q5WindowMs, slideMs: VERIFY_WINDOWS.q5SlideMs });
    case 'q7': return q7(events, { windowSizeMs: VERIFY_WINDOWS.q7WindowMs });
    case 'q8': return q8(events, { windowSizeMs: VERIFY_WINDOWS.q8WindowMs });
    default: throw new Error(`MR_ERR_BENCH_QUERY: unknown query ${query}; use one of q0, q1, q2, q3, q5, q7, q8`);
  }
}

/** The rows of a bounded verification run, as written by either system (one JSON object per line). */
export function readJsonLines(files: readonly string[]): object[] {
  return files.flatMap((file) => readFileSync(file, 'utf8').split('\n').filter((line) => line.trim().length > 0).map((line) => JSON.parse(line) as object));
}

/** Committed part files of Millrace's file sink under `dir` (in-progress and pending files are hidden). */
export function committedParts(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.startsWith('part-')).map((f) => join(dir, f));
}

/** The verification run's job parameters (Millrace) for `query`: the small windows of VERIFY_WINDOWS. */
export function verifyParameters(query: string): Record<string, number> {
  const common = { events: VERIFY_EVENTS, eventsPerSecond: VERIFY_EVENTS_PER_SECOND };
  if (query === 'q5') return { ...common, windowSizeMs: VERIFY_WINDOWS.q5WindowMs, slideMs: VERIFY_WINDOWS.q5SlideMs };
  if (query === 'q7') return { ...common, windowSizeMs: VERIFY_WINDOWS.q7WindowMs };
  if (query === 'q8') return { ...common, windowSizeMs: VERIFY_WINDOWS.q8WindowMs };
  return common;
}

export interface RowsCheck {
  readonly rows: number;
  readonly equal: boolean;
  readonly example: string | null;
}

/** A system's rows against the reference: equal as multisets, or the first difference. */
export function checkRows(expected: readonly object[], actual: readonly object[]): RowsCheck {
  const diff = diffRows(expected, actual);
  const equal = diff.missing.length === 0 && diff.unexpected.length === 0;
  const example = diff.missing[0] !== undefined ? `missing ${diff.missing[0]}` : diff.unexpected[0] !== undefined ? `unexpected ${diff.unexpected[0]}` : null;
  return { rows: actual.length, equal, example };
}

/** The reference result of the verification input for `query`. */
export function verificationReference(query: string, seed: number): object[] {
  const generator = createNexmarkGenerator({ seed, events: VERIFY_EVENTS, eventsPerSecond: VERIFY_EVENTS_PER_SECOND });
  const events = Array.from({ length: VERIFY_EVENTS }, (_, i) => generator.eventAt(i));
  return referenceRows(query, events);
}

/** Flink's rows for the verification input. */
export async function flinkVerificationRows(jar: string, query: string, seed: number, parallelism: number): Promise<object[]> {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-verify-'));
  try {
    const collect = join(dir, 'rows.jsonl');
    await runCaptured('java', [
      ...javaArgs(jar, 1), '--query', query, '--events', String(VERIFY_EVENTS), '--seed', String(seed),
      '--events-per-second', String(VERIFY_EVENTS_PER_SECOND), '--parallelism', String(parallelism), '--collect', collect,
      '--q5-window-ms', String(VERIFY_WINDOWS.q5WindowMs), '--q5-slide-ms', String(VERIFY_WINDOWS.q5SlideMs),
      '--q7-window-ms', String(VERIFY_WINDOWS.q7WindowMs), '--q8-window-ms', String(VERIFY_WINDOWS.q8WindowMs),
    ], { timeoutMs: 600_000 });
    return readJsonLines([collect]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
