import { Writable } from 'node:stream';
import { pino } from 'pino';
import { redactOptions } from './redact.ts';

function capture(): { lines: () => Array<Record<string, unknown>>; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('log redaction', () => {
  test('credential fields never reach a log line, at the top or nested; other fields stay', () => {
    const out = capture();
    const log = pino({ redact: redactOptions }, out.stream);
    log.info({ accessKeyId: 'AKIA1', secretAccessKey: 's3cr3t', bucket: 'b' }, 'top');
    log.info({ target: { credentials: { accessKeyId: 'AKIA2', secretAccessKey: 'x' }, endpoint: 'http://minio:9000' } }, 'nested');
    log.info({ req: { headers: { authorization: 'Bearer abc', host: 'jm' } } }, 'headers');
    log.info({ env: { AWS_SECRET_ACCESS_KEY: 'y', MILLRACE_ROLE: 'jobmanager' } }, 'env');
    log.info({ controller: 'deployment', key: 'team-a/orders' }, 'reconciled');
    const text = JSON.stringify(out.lines());
    for (const secret of ['AKIA1', 's3cr3t', 'AKIA2', 'Bearer abc', '"y"']) expect(text).not.toContain(secret);
    expect(out.lines()[0]).toMatchObject({ accessKeyId: '[redacted]', bucket: 'b' });
    expect(out.lines()[1]).toMatchObject({ target: { credentials: '[redacted]', endpoint: 'http://minio:9000' } });
    expect(out.lines()[2]).toMatchObject({ req: { headers: { authorization: '[redacted]', host: 'jm' } } });
    expect(out.lines()[3]).toMatchObject({ env: { AWS_SECRET_ACCESS_KEY: '[redacted]', MILLRACE_ROLE: 'jobmanager' } });
    expect(out.lines()[4]).toMatchObject({ key: 'team-a/orders' });
  });
});
