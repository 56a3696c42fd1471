import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildStreamGraph, defineJob } from '../api/environment.ts';
import { buildPipeline } from '../pipeline/compile.ts';
import { parsePipeline } from '../pipeline/parse.ts';
import { checkFilePath, configuredFileRoots, FilePathError } from './file-roots.ts';
import { fileSink } from './file-sink.ts';
import { fileSource } from './file-source.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'roots-'));
const codeOf = (f: () => unknown) => { try { f(); } catch (e) { return (e as FilePathError).code; } return undefined; };

describe('file connectors stay inside the allowed roots', () => {
  test('the secret mounts, /proc, /sys and /dev are refused everywhere, even locally', () => {
    for (const p of ['/var/run/secrets/millrace/s3', '/run/secrets/kubernetes.io/serviceaccount', '/proc/self/environ', '/sys/kernel', '/dev/mem', '/var/run/secrets/../secrets/x']) {
      expect(codeOf(() => checkFilePath(p, 'path', undefined))).toBe('MR_ERR_FILE_PATH_NOT_ALLOWED');
    }
    expect(() => checkFilePath('/var/run/secrets/millrace/s3', 'path', undefined)).toThrow(/path '\/var\/run\/secrets\/millrace\/s3' is inside \/var\/run\/secrets/);
  });

  test('with roots configured, only paths under them pass; a symbolic link cannot lead out', () => {
    const root = tmp();
    const outside = tmp();
    mkdirSync(path.join(root, 'in'));
    symlinkSync(outside, path.join(root, 'escape'));
    expect(checkFilePath(path.join(root, 'in'), 'path', [root])).toBe(path.join(root, 'in'));
    expect(checkFilePath(path.join(root, 'not-yet', 'made'), 'path', [root])).toBe(path.join(root, 'not-yet', 'made'));
    expect(codeOf(() => checkFilePath(outside, 'path', [root]))).toBe('MR_ERR_FILE_PATH_NOT_ALLOWED');
    expect(codeOf(() => checkFilePath(path.join(root, 'escape', 'x'), 'path', [root]))).toBe('MR_ERR_FILE_PATH_NOT_ALLOWED');
    expect(codeOf(() => checkFilePath(path.join(root, '..', path.basename(outside)), 'path', [root]))).toBe('MR_ERR_FILE_PATH_NOT_ALLOWED');
    expect(() => checkFilePath(outside, 'path', [root])).toThrow(`is outside the directories this job may use (${root})`);
  });

  test('a link to the secret mount is refused by where it leads', () => {
    const root = tmp();
    symlinkSync('/var/run/secrets', path.join(root, 'creds'));
    expect(codeOf(() => checkFilePath(path.join(root, 'creds', 'millrace'), 'path', [root]))).toBe('MR_ERR_FILE_PATH_NOT_ALLOWED');
  });

  test('MILLRACE_FILE_ROOTS is a colon-separated list; unset means no roots', () => {
    expect(configuredFileRoots({ MILLRACE_FILE_ROOTS: '/tmp:/data/in' })).toEqual(['/tmp', '/data/in']);
    expect(configuredFileRoots({})).toBeUndefined();
  });

  test('file source and sink refuse a denied path when the job is built', () => {
    expect(codeOf(() => fileSource({ path: '/var/run/secrets/millrace/s3', format: 'text' }))).toBe('MR_ERR_FILE_PATH_NOT_ALLOWED');
    expect(codeOf(() => fileSink({ path: '/proc/self', format: 'jsonl' }))).toBe('MR_ERR_FILE_PATH_NOT_ALLOWED');
    const ok = tmp();
    writeFileSync(path.join(ok, 'a.txt'), 'x\n');
    expect(() => fileSource({ path: ok, format: 'text' })).not.toThrow();
  });

  test("a viewer's pipeline reading the S3 credentials mount does not build", () => {
    const pipeline = parsePipeline('source: { type: file, path: /var/run/secrets/millrace/s3, format: text }\nsink: { type: print }\n');
    const job = defineJob({ name: 'exfiltrate', build(env) { buildPipeline(env, pipeline); } });
    expect(() => buildStreamGraph(job, 1)).toThrow(FilePathError);
  });
});
