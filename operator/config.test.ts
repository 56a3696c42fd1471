import { readFile } from 'node:fs/promises';
import { loadConfig, OPERATOR_NODE_FLAGS, OPERATOR_PROCESS_ENV } from './config.ts';

describe('operator configuration', () => {
  test('`npm run operator` starts Node with the V8 flags and environment the benchmark measures', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const env = Object.entries(OPERATOR_PROCESS_ENV).map(([k, v]) => `${k}=${v} `).join('');
    expect(pkg.scripts.operator).toBe(`${env}node ${OPERATOR_NODE_FLAGS.join(' ')} operator/main.ts`);
  });
  test('the image starts the operator with the same V8 flags and environment', async () => {
    const dockerfile = await readFile(new URL('../Dockerfile', import.meta.url), 'utf8');
    expect(dockerfile).toContain(`flags="${OPERATOR_NODE_FLAGS.join(' ')}"`);
    for (const [k, v] of Object.entries(OPERATOR_PROCESS_ENV)) expect(dockerfile).toContain(`export ${k}="\${${k}:-${v}}"`);
  });
  test('defaults: 16 workers per controller, 32 API connections', () => {
    expect(loadConfig({})).toMatchObject({ MILLRACE_WORKERS: 16, MILLRACE_API_CONNECTIONS: 32 });
  });
  test('a bad value names the variable', () => {
    expect(() => loadConfig({ MILLRACE_API_CONNECTIONS: '0' })).toThrow(/MILLRACE_API_CONNECTIONS/);
  });
});
