// A job to bundle and run from the workspace bucket (README.md here): the words of its `words`
// argument with their lengths, as CSV lines printed to the pods' logs, then it finishes (a
// bounded source). It uses an npm package (csv-stringify), so the bundle shows that
// `npx millrace bundle` carries dependencies along. Two exports: the default job and `shouted`
// (upper-case words), chosen with spec.source.artifact.entry.
import { stringify } from 'csv-stringify/sync';
import { defineJob } from '../../runtime/api/environment.ts';
import type { JobParams, StreamExecutionEnvironment } from '../../runtime/api/environment.ts';
import { printSink } from '../../runtime/api/print-sink.ts';

function build(env: StreamExecutionEnvironment, params: JobParams, transform: (w: string) => string): void {
  const words = params.get('words', 'stream processing from the bucket').split(/\s+/).filter(Boolean);
  const prefix = params.get('prefix', 'word-lengths');
  env.fromElements(words).uid('words')
    .map((w) => stringify([[transform(w), w.length]]).trimEnd()).uid('csv')
    .sinkTo(printSink<string>(prefix), { uid: 'print' });
}

export default defineJob({ name: 'word-lengths', build: (env, params) => build(env, params, (w) => w) });

export const shouted = defineJob({ name: 'word-lengths-shouted', build: (env, params) => build(env, params, (w) => w.toUpperCase()) });
