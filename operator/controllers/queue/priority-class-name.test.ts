import { priorityClassName } from './desired.ts';

describe('queue PriorityClass names (cluster-scoped, shared by all tenants)', () => {
  test('namespace a-b with queue c and namespace a with queue b-c get different classes', () => {
    expect(priorityClassName('a-b', 'c')).not.toBe(priorityClassName('a', 'b-c'));
    expect(priorityClassName('team-a', 'etl')).toBe('millrace-team-a.etl');
  });

  test('no two (namespace, queue) pairs of names built from the same parts share a class', () => {
    const parts = ['a', 'b', 'a-b', 'b-a', 'a-b-c', 'c', 'b-c', 'default-queue', 'default', 'queue', 'x.y'];
    const seen = new Map<string, string>();
    for (const ns of parts.filter((p) => !p.includes('.'))) for (const q of parts) {
      const name = priorityClassName(ns, q);
      expect([name, seen.get(name) ?? `${ns}/${q}`]).toEqual([name, `${ns}/${q}`]);
      seen.set(name, `${ns}/${q}`);
    }
  });

  test('the longest names fit a PriorityClass name (DNS subdomain, 253)', () => {
    const name = priorityClassName('n'.repeat(63), 'q'.repeat(40));
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
  });
});
