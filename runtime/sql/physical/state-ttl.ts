// `table.exec.state.ttl` (Flink's idle state retention): how long a stateful SQL operator keeps a
// key's state after its last write, in milliseconds of processing time; 0 (the default) keeps
// it forever. Flink's duration syntax ('1 h', '30 min', '500 ms'; a bare number is milliseconds).
import { parseDurationMs } from '../../connectors/factory/options.ts';
import { SqlError } from '../errors.ts';

export function stateTtlMs(config: ReadonlyMap<string, string> | undefined): number {
  const text = config?.get('table.exec.state.ttl');
  if (text === undefined || text.trim() === '') return 0;
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new SqlError('MR_ERR_SQL_VALIDATE', `'table.exec.state.ttl' = '${text}' is not a duration; write for example '1 h', '30 min' or '0' (keep state forever)`);
  return ms;
}
