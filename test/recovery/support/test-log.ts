// Progress lines of the recovery tests on stderr (jest shows them live), with the elapsed time.

export function testLog(name: string): (line: string) => void {
  const started = Date.now();
  return (line) => process.stderr.write(`[${name} +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
}
