// Runs one benchmark command under /usr/bin/time, which reports the CPU time of the whole
// process tree it waited for (a JobManager and its TaskManagers, or the JVM), and keeps the
// tail of the output for error messages. Every process is tracked (./children.ts), so none
// outlives the benchmark.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnChild, stopChild } from './children.ts';

export interface ProcessRun {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

const KEEP_CHARS = 64 * 1024;

export async function runMeasured(command: string, args: readonly string[], options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<ProcessRun> {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-bench-'));
  const timeFile = join(dir, 'time');
  const started = performance.now();
  try {
    const child = spawnChild('/usr/bin/time', ['-f', '%e %U %S', '-o', timeFile, command, ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => { stdout = (stdout + chunk.toString()).slice(-KEEP_CHARS); });
    child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-KEEP_CHARS); });
    let timedOut = false;
    const closed = new Promise<[number | null, string | null]>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, sig) => resolve([code, sig]));
    });
    const timer = setTimeout(() => {
      timedOut = true;
      void stopChild(child, 'SIGKILL', 0); // the whole tree, its other process groups included
    }, options.timeoutMs);
    const [exitCode, signal] = await closed;
    clearTimeout(timer);
    const wallMs = performance.now() - started;
    let cpuMs = 0;
    try {
      const [, user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      cpuMs = ((user ?? 0) + (system ?? 0)) * 1000;
    } catch { /* killed before time wrote its line */ }
    return { exitCode, signal, timedOut, wallMs, cpuMs, stdout, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The last lines of a process's output, for a one-line reason in the results. */
export function tail(text: string, lines = 5): string {
  return text.trim().split('\n').slice(-lines).join(' | ').slice(0, 800);
}

/**
 * Runs a short command (a Maven build, the Flink peer's checksum or plan) to its end, tracked, and
 * returns its stdout; a failure throws with the tail of its output.
 */
export async function runCaptured(command: string, args: readonly string[], options: { cwd?: string; timeoutMs: number; inheritOutput?: boolean }): Promise<string> {
  const child = spawnChild(command, args, { cwd: options.cwd, stdio: ['ignore', options.inheritOutput ? 'inherit' : 'pipe', options.inheritOutput ? 'inherit' : 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-KEEP_CHARS); });
  const closed = new Promise<[number | null, string | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => resolve([code, sig]));
  });
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; void stopChild(child, 'SIGKILL', 0); }, options.timeoutMs);
  const [code, sig] = await closed.finally(() => clearTimeout(timer));
  if (code !== 0) {
    throw new Error(`MR_ERR_BENCH_COMMAND: ${command} ${args.slice(-4).join(' ')}: ${timedOut ? `timed out after ${options.timeoutMs / 1000} s` : `exit ${code ?? sig}`}: ${tail(stderr || stdout)}`);
  }
  return stdout;
}
