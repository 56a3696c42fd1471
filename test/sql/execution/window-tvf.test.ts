// Window table functions end to end on a small CSV table: each row once per window with
// window_start/window_end/window_time (no aggregation), and a window aggregation over the same
// rows (watermarks are periodic, so on four rows none passes a window before the end of input;
// lateness is in window-aggregate-operator.test.ts). Expected rows are written out by hand.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSqlFile } from '../../../runtime/sql/run-sql-file.ts';

/** e (id INT, ts TIMESTAMP(3)) with a watermark at the highest ts seen (no delay). */
function events(rows: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'millrace-sql-wtvf-'));
  writeFileSync(path.join(dir, 'part-0.csv'), rows.join('\n') + '\n');
  return `CREATE TABLE e (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`;
}
const ROWS = ['1,2025-01-01 00:00:01.000', '2,2025-01-01 00:00:04.500', '3,2025-01-01 00:00:07.000', '4,2025-01-01 00:00:02.000'];
const t = (s: string): number => Date.parse(`2025-01-01T00:00:${s}Z`);

async function rows(sql: string, table: string): Promise<unknown[][]> {
  const { sinks } = await runSqlFile(sql, { collectSinks: true, parallelism: 1 });
  const s = sinks.find((x) => x.table === table)!;
  expect(s.changelog.every((r) => r.kind === '+I')).toBe(true);
  return s.changelog.map((r) => [...r.values]);
}

describe('window table functions', () => {
  test('HOP without an aggregation: each row once per window holding it, late rows kept', async () => {
    const sql = `${events(ROWS)}; CREATE TABLE out (id INT, ws TIMESTAMP(3), we TIMESTAMP(3), wt TIMESTAMP(3)) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT id, window_start, window_end, window_time FROM TABLE(HOP(TABLE e, DESCRIPTOR(ts), INTERVAL '3' SECOND, INTERVAL '6' SECOND))`;
    const w = (id: number, start: string, end: string) => [id, t(start), t(end), t(end) - 1];
    expect(await rows(sql, 'out')).toEqual([
      [1, t('00') - 3000, t('03'), t('03') - 1], w(1, '00', '06'),
      w(2, '00', '06'), w(2, '03', '09'),
      w(3, '03', '09'), w(3, '06', '12'),
      [4, t('00') - 3000, t('03'), t('03') - 1], w(4, '00', '06'), // out of order after 7 s: a TVF drops nothing
    ]);
  });

  test('TUMBLE aggregation: one row per window with its count and sum', async () => {
    const sql = `${events(ROWS)}; CREATE TABLE out (ws TIMESTAMP(3), n BIGINT, ids INT) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT window_start, COUNT(*), SUM(id) FROM TABLE(TUMBLE(TABLE e, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY window_start, window_end`;
    expect(await rows(sql, 'out')).toEqual([[t('00'), 3, 7], [t('05'), 1, 3]]);
  });

  test('SESSION without an aggregation is refused, saying how it runs', async () => {
    const sql = `${events(ROWS)}; CREATE TABLE out (id INT, ws TIMESTAMP(3)) WITH ('connector' = 'blackhole');
      INSERT INTO out SELECT id, window_start FROM TABLE(SESSION(TABLE e, DESCRIPTOR(ts), INTERVAL '3' SECOND))`;
    await expect(runSqlFile(sql, { collectSinks: true })).rejects.toMatchObject({
      code: 'MR_ERR_SQL_UNSUPPORTED',
      message: expect.stringContaining('a SESSION window table function without an aggregation is not executable yet (SESSION windows run with an aggregation: GROUP BY window_start, window_end)') as unknown,
    });
  });
});
