// Adding a connector: defineConnector + registerConnector, its lookup ability reached through the
// registry with validated options (what JDBC and Kafka do in their own folders).

import { z } from 'zod';
import { T } from '../../sql/types/data-type.ts';
import { ConnectorRegistry, SecretResolver, defineConnector, optionTypes } from './index.ts';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(tmpdir(), 'millrace-ext-'));
mkdirSync(path.join(dir, 'kv'));
writeFileSync(path.join(dir, 'kv', 'token'), 'tok-123');

/** A lookup table over a fixed map, with a required option and a secret. */
const memoryConnector = defineConnector({
  name: 'memory-kv',
  description: 'test: a fixed key-value table',
  options: z.object({ token: optionTypes.stringOption(), 'cache.max-rows': optionTypes.intOption(0).default(100) }),
  lookup: (ctx) => ({
    createLookup(keys) {
      expect(keys).toEqual(['k']);
      expect(ctx.options.token).toBe('tok-123');
      const data = new Map<string, string>([['a', 'alpha'], ['b', 'beta']]);
      return (key) => (data.has(key[0] as string) ? [[key[0], data.get(key[0] as string)]] : []);
    },
  }),
});

describe('extending the factory', () => {
  const registry = new ConnectorRegistry({ secrets: new SecretResolver(dir) }).registerConnector(memoryConnector);
  const table = { name: 'dim', columns: [{ name: 'k', type: T.string() }, { name: 'v', type: T.string() }], options: { connector: 'memory-kv', token: '${secret:kv/token}' } };

  test('a registered connector with a lookup ability answers lookups with typed, secret-resolved options', async () => {
    expect(registry.abilities('memory-kv')).toEqual(['lookup']);
    const lookup = registry.createLookup(table).createLookup(['k']);
    expect(await lookup(['a'])).toEqual([['a', 'alpha']]);
    expect(await lookup(['z'])).toEqual([]);
  });

  test('its options are validated like the built-in ones; a name registered twice is refused', () => {
    expect(() => registry.createLookup({ ...table, options: { connector: 'memory-kv' } })).toThrow("missing required option 'token'");
    expect(() => registry.createSource(table)).toThrow("connector 'memory-kv' cannot be used as a source");
    expect(() => registry.registerConnector(memoryConnector)).toThrow("connector 'memory-kv' is registered twice");
  });
});
