/** Progress lines go to stderr, so stdout carries only what a shell should eval. */
export function progress(message: string): void {
  const time = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[cluster ${time}] ${message}\n`);
}
