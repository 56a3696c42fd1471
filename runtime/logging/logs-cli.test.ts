import { consoleTarget } from '../artifacts/console-client.ts';
import { formatLine } from './logs-cli.ts';

describe('millrace logs and artifacts CLI', () => {
  test('pino lines are shown with time, level, source and fields; other output as written', () => {
    expect(formatLine('{"level":30,"time":1796623200000,"pid":7,"hostname":"h","msg":"job state","jobId":"j1","to":"RUNNING"}', '[jobmanager orders-jm-1]'))
      .toBe('2026-12-07T06:00:00.000Z INFO [jobmanager orders-jm-1] job state {"jobId":"j1","to":"RUNNING"}');
    expect(formatLine('words> ALPHA,5', '[taskmanager orders-tm-1-0]')).toBe('[taskmanager orders-tm-1-0] words> ALPHA,5');
    expect(formatLine('{not json', '[x]')).toBe('[x] {not json');
  });
  test('the console address, the token and the namespace are required, each named with how to give it', () => {
    expect(() => consoleTarget({}, {})).toThrow(/--console https:\/\/<console> or set MILLRACE_CONSOLE_URL/);
    expect(() => consoleTarget({ console: 'http://c:8080' }, {})).toThrow(/set MILLRACE_TOKEN .* or pass --token-file FILE/);
    expect(() => consoleTarget({ console: 'http://c:8080', 'token-file': '/nonexistent/token' }, {})).toThrow(/cannot read the token file \/nonexistent\/token/);
    expect(() => consoleTarget({ console: 'http://c:8080' }, { MILLRACE_TOKEN: 't' })).toThrow(/pass -n <namespace> or set MILLRACE_NAMESPACE/);
    expect(consoleTarget({ namespace: 'team-a' }, { MILLRACE_CONSOLE_URL: 'http://c:8080/', MILLRACE_TOKEN: ' t ' })).toEqual({ url: 'http://c:8080', token: 't', namespace: 'team-a' });
  });
});
