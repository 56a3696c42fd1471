import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectSink } from '../connectors/collect-sink.ts';
import { executeLocally } from '../local/local-executor.ts';
import { createHash } from 'node:crypto';
import { checkJobUrl, loadJob, resolveJobUrl } from './job-loader.ts';

// A self-contained job module (no imports), as an artifact bundle would be.
const MODULE = `export default {
  name: 'from-url',
  build(env, params) {
    const n = params.getNumber('n', 3);
    globalThis.__sink && env.fromElements(Array.from({ length: n }, (_, i) => i)).map((x) => x * 10).sinkTo(globalThis.__sink);
  },
};`;

describe('job loading', () => {
  test('a job module is downloaded from an http artifact URL pinned by sha256, verified, imported and run', async () => {
    const server = http.createServer((req, res) => {
      if (req.url?.split('?')[0] === '/artifacts/job.mjs') res.writeHead(200, { 'content-type': 'text/javascript' }).end(MODULE);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const pin = createHash('sha256').update(MODULE).digest('hex');
      const url = `http://127.0.0.1:${port}/artifacts/job.mjs?v=${Date.now()}`;
      await expect(loadJob(url)).rejects.toMatchObject({ code: 'MR_ERR_JOB_URL_REFUSED', message: expect.stringContaining('#sha256=') });
      await expect(loadJob(`${url}&x#sha256=${'0'.repeat(64)}`)).rejects.toMatchObject({ code: 'MR_ERR_JOB_DIGEST_MISMATCH' });
      const job = await loadJob(`${url}#sha256=${pin}`);
      const out: number[] = [];
      (globalThis as Record<string, unknown>).__sink = collectSink(out);
      await executeLocally(job, { params: { n: '4' } }).done;
      expect(out).toEqual([0, 10, 20, 30]);
      // content-addressed cache: a pin already fetched is served from it, so the 404 needs another pin
      await expect(loadJob(`http://127.0.0.1:${port}/missing.mjs#sha256=${createHash('sha256').update(String(Date.now())).digest('hex')}`)).rejects.toMatchObject({ code: 'MR_ERR_JOB_LOAD', message: expect.stringMatching(/HTTP 404/) });
    } finally {
      delete (globalThis as Record<string, unknown>).__sink;
      server.close();
    }
  });
});

describe('what may load', () => {
  test('data:, blob: and node: URLs are refused whatever the mode', () => {
    for (const url of ['data:text/javascript,export default 1', 'blob:nodedata:1', 'node:fs', 'javascript:alert(1)']) {
      expect(() => checkJobUrl(resolveJobUrl(url))).toThrow(expect.objectContaining({ code: 'MR_ERR_JOB_URL_REFUSED' }));
    }
  });
  test('in a cluster only the configured job loads', () => {
    const configured = 'file:///opt/millrace/runtime/pipeline/pipeline-job.ts';
    expect(() => checkJobUrl(configured, { locked: true, configuredJob: configured })).not.toThrow();
    expect(() => checkJobUrl('file:///tmp/other.js', { locked: true, configuredJob: configured })).toThrow(expect.objectContaining({ code: 'MR_ERR_JOB_URL_REFUSED', message: expect.stringContaining(configured) }));
    expect(() => checkJobUrl(configured, { locked: true })).toThrow(expect.objectContaining({ code: 'MR_ERR_JOB_URL_REFUSED', message: expect.stringContaining('no configured job') }));
  });
  test('a local path becomes a file: URL and loads locally', () => {
    expect(() => checkJobUrl(resolveJobUrl('examples/job.ts', '/work'))).not.toThrow();
  });
});
