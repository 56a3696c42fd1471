// Where `npm run image:build` puts the image archive: one file per tag, so a build with another
// --tag never replaces the archive of the default tag that tests and CI import.
import { join } from 'node:path';
import { archiveFileName, imagePaths, projectImage } from './config.ts';

describe('the image archive of a tag', () => {
  test('the default tag keeps the archive every loader reads: images/millrace-dev.tar', () => {
    expect(archiveFileName(projectImage.ref)).toBe('millrace-dev.tar');
    expect(imagePaths({ MILLRACE_CACHE_DIR: '/cache' }).archive).toBe(join('/cache', 'images', 'millrace-dev.tar'));
  });

  test('another tag gets its own archive beside it', () => {
    const paths = imagePaths({ MILLRACE_CACHE_DIR: '/cache' }, 'localhost/millrace:scratch-1');
    expect(paths.archive).toBe(join('/cache', 'images', 'millrace-scratch-1.tar'));
    expect(paths.archive).not.toBe(imagePaths({ MILLRACE_CACHE_DIR: '/cache' }).archive);
  });

  test('a reference becomes one safe file name: no directories, no colons for docker-archive:PATH:REF', () => {
    expect(archiveFileName('registry.example.com:5000/team/millrace:v1.2')).toBe('registry.example.com-5000-team-millrace-v1.2.tar');
    expect(archiveFileName('localhost/millrace@sha256:abc')).toBe('millrace-sha256-abc.tar');
    expect(archiveFileName('../../etc/passwd')).toBe('etc-passwd.tar');
    expect(archiveFileName('millrace')).toBe('millrace.tar');
  });

  test('a tag with nothing usable in it is refused with a code', () => {
    expect(() => archiveFileName('localhost/')).toThrow(/^MR_ERR_IMAGE_REF: /);
    expect(() => archiveFileName(' :/ ')).toThrow(/^MR_ERR_IMAGE_REF: /);
  });
});
