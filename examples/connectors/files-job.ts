// A DataStream job that writes JSON lines exactly once with the file sink: a directory, or
// `s3://<bucket>/<prefix>` for the object store (files appear when a checkpoint completes).
// Run:  npx millrace run examples/connectors/files-job.ts --set path=/tmp/millrace-files --set events=10000
import { defineJob } from '../../runtime/api/environment.ts';
import { fileSink } from '../../runtime/connectors/file-sink.ts';
import { nexmarkSource } from '../../runtime/connectors/nexmark-source.ts';
import type { Bid } from '../../runtime/connectors/nexmark/index.ts';

export default defineJob({
  name: 'files-job',
  build(env, params) {
    env.fromSource(nexmarkSource({ events: params.getNumber('events', 10_000) }), undefined, 'Source: nexmark').uid('files-source')
      .filter((e) => e.kind === 'bid').uid('bids-only')
      .map((e) => ({ auction: (e as Bid).auction, price: (e as Bid).price })).uid('auction-price')
      .sinkTo(fileSink({ path: params.get('path', '/tmp/millrace-files'), format: 'jsonl' }), { uid: 'files-sink' });
  },
});
