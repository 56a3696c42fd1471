// The option tables list every option of every connector and format: this folder's README (with
// defaults and values) and the project README's Connectors section (names).

import { readFileSync } from 'node:fs';
import { SecretResolver, createConnectorRegistry } from './index.ts';

const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');

/** The options a connector's table accepts: its schema's keys, its option patterns, `format` when it takes one. */
function optionNames(registry: ReturnType<typeof createConnectorRegistry>, name: string): string[] {
  const c = registry.getConnector(name)!;
  return [...Object.keys(c.options.shape), ...(c.optionPatterns ?? []).map((p) => p.display), ...(c.usesFormat ? ['format'] : [])];
}

/** The table row of `| \`name\` | ...` in a markdown text. */
const rowOf = (text: string, name: string) => text.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));

test('README lists every connector and format with all their options', () => {
  const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });
  // the Kafka connectors' rows point at the Kafka security table for the security options
  const kafkaSecurity = readme.slice(readme.indexOf('## Kafka security'), readme.indexOf('## Errors'));
  expect(registry.connectorNames().length).toBeGreaterThanOrEqual(9);
  for (const name of registry.connectorNames()) {
    const row = rowOf(readme, name);
    expect(row).toBeDefined();
    const text = /Kafka security|security: as `kafka`/.test(row!) ? `${row}${kafkaSecurity}` : row!;
    for (const key of optionNames(registry, name)) expect(`${name}: ${text}`).toContain(`\`${key}\``);
  }
  for (const name of registry.formatNames()) {
    const row = rowOf(readme, name);
    for (const key of Object.keys(registry.getFormat(name)!.options.shape)) expect(`${name}: ${row}`).toContain(`\`${key}\``);
  }
});

test("the project README's Connectors section has a row for every connector naming every option it accepts", () => {
  const registry = createConnectorRegistry({ secrets: new SecretResolver('/nonexistent') });
  const main = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const start = main.indexOf('\n## Connectors\n');
  const section = main.slice(start, main.indexOf('\n## ', start + 1));
  for (const name of registry.connectorNames()) {
    const row = rowOf(section, name);
    expect({ name, listed: row !== undefined }).toEqual({ name, listed: true });
    const missing = optionNames(registry, name).filter((key) => !row!.includes(`\`${key}\``));
    expect({ name, missing }).toEqual({ name, missing: [] });
  }
});
