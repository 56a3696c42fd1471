import { execFile, spawn } from 'node:child_process';
import { ClusterError } from './errors.ts';

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a command to completion and returns its output; never throws for a non-zero exit. */
export function tryRun(command: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { maxBuffer: 64 * 1024 * 1024, env: options.env ?? process.env, cwd: options.cwd },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          // Not started at all (for example not installed): report it like a shell does.
          resolve({ stdout, stderr: `cannot run ${command}: ${error.message}; run bash .ci/prepare-cluster.sh`, code: 127 });
          return;
        }
        resolve({ stdout, stderr, code: error ? Number(error.code) : 0 });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a command and throws with its stderr when it fails. */
export async function run(command: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<string> {
  const result = await tryRun(command, args, options);
  if (result.code !== 0) {
    throw new ClusterError('MR_ERR_CLUSTER_COMMAND', `${command} ${args.join(' ')} exited with ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result.stdout;
}

/** Runs a long command with its output streamed to our stderr (progress of builds). */
export function runVisible(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', process.stderr, process.stderr], env: options.env ?? process.env, cwd: options.cwd });
    child.on('error', (error) => reject(new ClusterError('MR_ERR_CLUSTER_COMMAND', `cannot run ${command}: ${error.message}`)));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new ClusterError('MR_ERR_CLUSTER_COMMAND', `${command} ${args.join(' ')} exited with ${code}`)),
    );
  });
}
