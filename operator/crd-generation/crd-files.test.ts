import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { renderCrdFiles } from './crd-files.ts';

describe('CRD files', () => {
  test('the committed crds/ match what the schemas generate (run `npm run crds:generate` if not)', async () => {
    for (const [file, content] of renderCrdFiles()) {
      expect(await readFile(new URL(`../../crds/${file}`, import.meta.url), 'utf8')).toBe(content);
    }
  });
  test('every kind has short names, the millrace category, a status subresource and printer columns', () => {
    const crds = [...renderCrdFiles().values()].map((c) => parse(c));
    expect(crds.map((c) => c.spec.names.kind).sort()).toEqual(['Deployment', 'Namespace', 'Queue', 'Savepoint', 'Workspace']);
    for (const crd of crds) {
      expect(crd.spec.names.shortNames.length).toBeGreaterThan(0);
      expect(crd.spec.names.categories).toEqual(['millrace']);
      expect(crd.spec.versions[0].subresources).toEqual({ status: {} });
      expect(crd.spec.versions[0].additionalPrinterColumns.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['Ready', 'Age']));
    }
  });
});
