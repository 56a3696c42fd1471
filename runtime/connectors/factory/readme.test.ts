// The README's option tables list every option of every built-in connector and format.

import { readFileSync } from 'node:fs';
import { SecretResolver, createConnectorRegistry } from './index.ts';

const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');

/** The connectors of runtime/connectors/table/; connectors in their own folders document themselves. */
const BUILT_IN = ['nexmark', 'datagen', 'filesystem', 'print', 'blackhole'];

test('README lists every built-in connector and format with all their options', () => {
  const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });
  for (const name of BUILT_IN) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    expect(row).toBeDefined();
    const c = registry.getConnector(name)!;
    for (const key of [...Object.keys(c.options.shape), ...(c.optionPatterns ?? []).map((p) => p.display)]) expect(`${name}: ${row}`).toContain(`\`${key}\``);
  }
  for (const name of registry.formatNames()) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    for (const key of Object.keys(registry.getFormat(name)!.options.shape)) expect(`${name}: ${row}`).toContain(`\`${key}\``);
  }
});
