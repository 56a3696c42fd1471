import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRows, committedParts, readJsonLines, verificationReference, verifyParameters, VERIFY_EVENTS } from './verify.ts';

describe('output verification of the benchmark', () => {
  const expected = verificationReference('q7', 42);

  test('the reference of the verification input has rows, and the Millrace run gets the same small windows', () => {
    expect(expected.length).toBeGreaterThan(5);
    expect(verifyParameters('q7')).toEqual({ events: VERIFY_EVENTS, eventsPerSecond: 1000, windowSizeMs: 1000 });
    expect(verifyParameters('q0')).toEqual({ events: VERIFY_EVENTS, eventsPerSecond: 1000 });
  });

  test('rows equal as multisets in any order pass; a lost, a duplicated or a changed row fails and is shown', () => {
    expect(checkRows(expected, [...expected].reverse())).toEqual({ rows: expected.length, equal: true, example: null });
    const lost = checkRows(expected, expected.slice(1));
    expect(lost.equal).toBe(false);
    expect(lost.rows).toBe(expected.length - 1);
    expect(lost.example).toMatch(/^missing /);
    expect(checkRows(expected, [...expected, expected[0]!]).example).toMatch(/^unexpected /);
    const changed = expected.map((r, i) => (i === 0 ? { ...r, price: -1 } : r));
    expect(checkRows(expected, changed).equal).toBe(false);
  });

  test("Millrace's committed part files are read, in-progress and pending files are not", () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-'));
    try {
      writeFileSync(join(dir, 'part-0-0.jsonl'), '{"a":1}\n{"a":2}\n');
      writeFileSync(join(dir, 'part-1-0.jsonl'), '{"a":3}\n');
      writeFileSync(join(dir, '.part-1-1.jsonl.inprogress'), '{"a":4}\n');
      expect(readJsonLines(committedParts(dir))).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
      expect(committedParts(join(dir, 'missing'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
