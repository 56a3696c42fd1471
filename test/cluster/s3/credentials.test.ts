import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCredentials, loadOrCreateCredentials } from './credentials.ts';

describe('S3 credentials of this machine', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'millrace-s3-credentials-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('are AWS-shaped: a 20-character access key id and a 40-character secret', () => {
    const { accessKeyId, secretAccessKey } = generateCredentials();
    expect(accessKeyId).toMatch(/^MR[A-Z0-9]{18}$/);
    expect(secretAccessKey).toMatch(/^[\w-]{40}$/);
    expect(generateCredentials().secretAccessKey).not.toBe(secretAccessKey);
  });

  test('are generated once, kept readable by the owner only, and reused afterwards', async () => {
    const file = join(dir, 'state', 'credentials.json');
    const first = await loadOrCreateCredentials(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateCredentials(file)).toEqual(first);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(first);
  });
});
