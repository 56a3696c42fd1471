// The Millrace side of the benchmark: `millrace run examples/nexmark/<query>.ts` in local mode
// with the CLI contract of the runtime (`--set key=value` job parameters, `--summary-json`).

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface MillraceCommand {
  readonly command: string;
  readonly args: string[];
}

/** Why the Millrace side cannot run `job` (a path under the checkout) here, or null when it can. */
export function millraceUnavailable(root: string, job: string): string | null {
  if (!existsSync(join(root, 'runtime', 'bin', 'millrace.ts'))) return 'runtime/bin/millrace.ts does not exist yet';
  if (!existsSync(join(root, job))) return `${job} does not exist yet`;
  return null;
}

export interface MillraceRunOptions {
  /** the job module, relative to the checkout (e.g. examples/nexmark/q5.ts) */
  readonly job: string;
  readonly parallelism: number;
  readonly taskmanagers: number;
  readonly parameters: Readonly<Record<string, string | number | boolean>>;
  /** where `--summary-json` goes (its directory also holds the run's checkpoints); null: no summary */
  readonly summaryFile: string;
  /** `--checkpoint-interval-ms` (0 = off); left out: the runtime's default */
  readonly checkpointIntervalMs?: number;
}

/**
 * `npx millrace run …` when the bin is linked, otherwise the same entry point through the
 * project's Node 24 (npx does not link the bin of the project it runs in).
 */
export function millraceCommand(root: string, options: MillraceRunOptions): MillraceCommand {
  const sets = Object.entries(options.parameters).flatMap(([key, value]) => ['--set', `${key}=${String(value)}`]);
  const runArgs = [
    'run', options.job,
    '--parallelism', String(options.parallelism),
    '--taskmanagers', String(options.taskmanagers),
    ...sets,
    '--summary-json', options.summaryFile,
    // Beside the summary, in the run's work directory: never the user's default checkpoint storage.
    '--checkpoint-dir', join(dirname(options.summaryFile), `checkpoints-${options.job.replace(/\W+/g, '-')}`),
    ...(options.checkpointIntervalMs === undefined ? [] : ['--checkpoint-interval-ms', String(options.checkpointIntervalMs)]),
  ];
  const linked = join(root, 'node_modules', '.bin', 'millrace');
  if (existsSync(linked)) return { command: linked, args: runArgs };
  return { command: join(root, 'node_modules', '.bin', 'node'), args: [join(root, 'runtime', 'bin', 'millrace.ts'), ...runArgs] };
}
