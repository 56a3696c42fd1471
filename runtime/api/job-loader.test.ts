import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectSink } from '../connectors/collect-sink.ts';
import { executeLocally } from '../local/local-executor.ts';
import { loadJob } from './job-loader.ts';

// A self-contained job module (no imports), as an artifact bundle would be.
const MODULE = `export default {
  name: 'from-url',
  build(env, params) {
    const n = params.getNumber('n', 3);
    globalThis.__sink && env.fromElements(Array.from({ length: n }, (_, i) => i)).map((x) => x * 10).sinkTo(globalThis.__sink);
  },
};`;

describe('job loading', () => {
  test('a job module is downloaded from an http artifact URL, imported and run', async () => {
    const server = http.createServer((req, res) => {
      if (req.url?.split('?')[0] === '/artifacts/job.mjs') res.writeHead(200, { 'content-type': 'text/javascript' }).end(MODULE);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const job = await loadJob(`http://127.0.0.1:${port}/artifacts/job.mjs?v=${Date.now()}`);
      const out: number[] = [];
      (globalThis as Record<string, unknown>).__sink = collectSink(out);
      await executeLocally(job, { params: { n: '4' } }).done;
      expect(out).toEqual([0, 10, 20, 30]);
      await expect(loadJob(`http://127.0.0.1:${port}/missing.mjs`)).rejects.toThrow(/MR_ERR_JOB_LOAD: .*HTTP 404/);
    } finally {
      delete (globalThis as Record<string, unknown>).__sink;
      server.close();
    }
  });
});
