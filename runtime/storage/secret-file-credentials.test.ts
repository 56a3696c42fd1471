import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readCredentialFiles } from './secret-file-credentials.ts';

describe('S3 credentials from a mounted Secret directory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'millrace-creds-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const clock = { now: () => 1_000_000 };

  test('reads the Workspace Secret key names, trimming the trailing newline', async () => {
    await writeFile(path.join(dir, 'AWS_ACCESS_KEY_ID'), 'AKIAEXAMPLE\n');
    await writeFile(path.join(dir, 'AWS_SECRET_ACCESS_KEY'), 's3cr3t\n');
    const creds = await readCredentialFiles(dir, clock);
    expect(creds).toEqual({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's3cr3t', expiration: new Date(1_000_000 + 10 * 60_000) });
  });

  test('reads kebab-case names and a session token', async () => {
    await writeFile(path.join(dir, 'access-key-id'), 'AKIA2');
    await writeFile(path.join(dir, 'secret-access-key'), 'sec2');
    await writeFile(path.join(dir, 'session-token'), 'tok');
    expect(await readCredentialFiles(dir, clock)).toMatchObject({ accessKeyId: 'AKIA2', secretAccessKey: 'sec2', sessionToken: 'tok' });
  });

  test('a rotated Secret is read again on the next call', async () => {
    await writeFile(path.join(dir, 'access-key-id'), 'old');
    await writeFile(path.join(dir, 'secret-access-key'), 'old-secret');
    expect((await readCredentialFiles(dir, clock)).accessKeyId).toBe('old');
    await writeFile(path.join(dir, 'access-key-id'), 'new');
    expect((await readCredentialFiles(dir, clock)).accessKeyId).toBe('new');
  });

  test('a missing secret key file is MR_ERR_STORAGE_CREDENTIALS naming the expected files, not the values', async () => {
    await writeFile(path.join(dir, 'access-key-id'), 'AKIA-VISIBLE-NOWHERE');
    const error = await readCredentialFiles(dir, clock).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MR_ERR_STORAGE_CREDENTIALS' });
    expect((error as Error).message).toContain('AWS_SECRET_ACCESS_KEY or secret-access-key');
    expect((error as Error).message).toContain(dir);
    expect((error as Error).message).not.toContain('AKIA-VISIBLE-NOWHERE');
  });
});

describe('short-lived credentials renewed by the operator', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'millrace-creds-'));
    await writeFile(path.join(dir, 'AWS_ACCESS_KEY_ID'), 'ASIATEMP');
    await writeFile(path.join(dir, 'AWS_SECRET_ACCESS_KEY'), 'temp-secret');
    await writeFile(path.join(dir, 'AWS_SESSION_TOKEN'), 'temp-token');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const clock = { now: () => 1_000_000 };
  const sdkWindow = 5 * 60_000;

  test('are read again at their expiry when that comes before the periodic re-read', async () => {
    await writeFile(path.join(dir, 'AWS_CREDENTIAL_EXPIRATION'), new Date(1_000_000 + 60_000).toISOString());
    const creds = await readCredentialFiles(dir, clock);
    expect(creds).toMatchObject({ sessionToken: 'temp-token', expiration: new Date(1_000_000 + 60_000 + sdkWindow) });
  });

  test('a later expiry leaves the periodic re-read; an unreadable date is ignored', async () => {
    await writeFile(path.join(dir, 'AWS_CREDENTIAL_EXPIRATION'), new Date(1_000_000 + 3_600_000).toISOString());
    expect((await readCredentialFiles(dir, clock)).expiration).toEqual(new Date(1_000_000 + 5 * 60_000 + sdkWindow));
    await writeFile(path.join(dir, 'AWS_CREDENTIAL_EXPIRATION'), 'soon');
    expect((await readCredentialFiles(dir, clock, 1000)).expiration).toEqual(new Date(1_000_000 + 1000 + sdkWindow));
  });
});
