// The rules the optimizer applies, in order (adding a rule: a file here and a line below).
// Rules the session's configuration switches on (mini-batch, two-phase, split distinct) are listed in configured-rules.ts.
import { constantFolding } from './constant-folding.ts';
import { filterPushDown } from './filter-push-down.ts';
import { intervalJoin } from './interval-join.ts';
import { projectJoinTranspose } from './project-join-transpose.ts';
import { projectMerge } from './project-merge.ts';
import { projectWatermarkTranspose } from './project-watermark-transpose.ts';
import { projectionPushDown } from './projection-push-down.ts';
import { rank } from './rank.ts';
import type { Rule } from './rule.ts';
import { windowAggregate } from './window-aggregate.ts';
import { windowJoin } from './window-join.ts';
import { windowRank } from './window-rank.ts';

export type { Rule } from './rule.ts';

export const DEFAULT_RULES: readonly Rule[] = [
  constantFolding,
  filterPushDown,
  rank,
  windowAggregate,
  intervalJoin,
  windowJoin,
  windowRank,
  projectJoinTranspose,
  projectMerge,
  projectWatermarkTranspose,
  projectionPushDown,
];
