import { execFile, spawn } from 'node:child_process';
import { ImageBuildError } from './errors.ts';

export interface ExecOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a command and returns its stdout; throws with its stderr when it fails. */
export function capture(command: string, args: readonly string[], options: ExecOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024, env: options.env ?? process.env, cwd: options.cwd }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      reject(
        typeof error.code === 'number'
          ? new ImageBuildError('MR_ERR_IMAGE_COMMAND', `${command} ${args.join(' ')} exited with ${error.code}: ${(stderr || stdout).trim()}`)
          : missingTool(command, error),
      );
    });
  });
}

/** Runs a long command with its output shown on our stderr (stdout stays for results). */
export function stream(command: string, args: readonly string[], options: ExecOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 2, 2], env: options.env ?? process.env, cwd: options.cwd });
    child.on('error', (error) => reject(missingTool(command, error)));
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new ImageBuildError('MR_ERR_IMAGE_COMMAND', `${command} ${args.join(' ')} ended with ${signal ?? `exit code ${code}`}; see its output above`)),
    );
  });
}

function missingTool(command: string, error: Error): ImageBuildError {
  return new ImageBuildError('MR_ERR_IMAGE_TOOL_MISSING', `cannot run ${command} (${error.message}); install it with bash .ci/prepare-s3-image.sh`);
}
