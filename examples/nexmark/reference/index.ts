// Independent reference results for the Nexmark examples: plain functions over all events of
// a bounded run, written without the engine, so the examples' tests compare the engine's
// output against something it did not compute. Semantics: ../README.md.

export { q0 } from './q0.ts';
export { q1, toEuroCents } from './q1.ts';
export type { Q1Row } from './q1.ts';
export { q2, Q2_DEFAULTS } from './q2.ts';
export type { Q2Options, Q2Row } from './q2.ts';
export { q3, Q3_DEFAULTS } from './q3.ts';
export type { Q3Options, Q3Row } from './q3.ts';
export { q5, Q5_DEFAULTS } from './q5.ts';
export type { Q5Options, Q5Row } from './q5.ts';
export { q7, Q7_DEFAULTS } from './q7.ts';
export type { Q7Options, Q7Row } from './q7.ts';
export { q8, Q8_DEFAULTS } from './q8.ts';
export type { Q8Options, Q8Row } from './q8.ts';
export { canonicalRow, canonicalRows, diffRows } from './compare.ts';
export { slidingWindows, tumblingWindow } from './windows.ts';
export type { Window } from './windows.ts';
