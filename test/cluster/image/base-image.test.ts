import { baseImageRef, baseImageTag } from './base-image.ts';
import type { BaseImageSpec } from './base-image.ts';
import { baseImage } from './config.ts';

describe('the base image cache key', () => {
  const spec: BaseImageSpec = { release: 'bookworm', variant: 'minbase', packages: ['ca-certificates', 'tini'] };

  test('names the Debian release and is stable for the same package set in any order', () => {
    expect(baseImageTag(spec)).toMatch(/^bookworm-[0-9a-f]{12}$/);
    expect(baseImageTag({ ...spec, packages: ['tini', 'ca-certificates'] })).toBe(baseImageTag(spec));
  });

  test('changes with the package set, the variant or the release', () => {
    const tags = new Set([
      baseImageTag(spec),
      baseImageTag({ ...spec, packages: ['ca-certificates'] }),
      baseImageTag({ ...spec, variant: 'buildd' }),
      baseImageTag({ ...spec, release: 'trixie' }),
    ]);
    expect(tags.size).toBe(4);
  });

  test('is the tag of a local image, never one a registry serves', () => {
    expect(baseImageRef()).toBe(`localhost/millrace/base:${baseImageTag(baseImage)}`);
  });
});
