// `'connector' = 'blackhole'`: a sink that accepts every row kind and discards it (benchmarks).

import { z } from 'zod';
import { blackholeSink } from '../blackhole-sink.ts';
import { defineConnector } from '../factory/connector.ts';
import type { ChangelogRow } from '../factory/row.ts';

export const blackholeConnector = defineConnector({
  name: 'blackhole',
  description: 'discards every row (sink)',
  options: z.object({}),
  sink: () => ({ changelogMode: 'all', createSink: () => blackholeSink<ChangelogRow>() }),
});
