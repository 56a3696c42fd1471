import { randomBytes } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { S3EnvironmentError } from './errors.ts';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const accessKeyAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0234567';

// AWS-shaped credentials: a 20-character upper-case access key id and a 40-character secret.
export function generateCredentials(random: (size: number) => Buffer = randomBytes): S3Credentials {
  const idBytes = random(20);
  const accessKeyId = 'MR' + Array.from(idBytes.subarray(0, 18), (b) => accessKeyAlphabet[b % accessKeyAlphabet.length]).join('');
  const secretAccessKey = random(30).toString('base64url');
  return { accessKeyId, secretAccessKey };
}

// Credentials are generated once per machine and kept (mode 0600) in the state directory,
// so the server's data directory and anyone who exported them stay valid across restarts.
export async function loadOrCreateCredentials(
  file: string,
  random: (size: number) => Buffer = randomBytes,
): Promise<S3Credentials> {
  const existing = await readCredentials(file);
  if (existing) return existing;
  const created = generateCredentials(random);
  await mkdir(dirname(dirname(file)), { recursive: true });
  await mkdir(dirname(file), { recursive: true, mode: 0o700 }); // the mode applies to this directory only
  try {
    await writeFile(file, JSON.stringify(created, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created them first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readCredentials(file))!;
    throw error;
  }
  return created;
}

async function readCredentials(file: string): Promise<S3Credentials | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<S3Credentials>;
  if (typeof parsed.accessKeyId !== 'string' || typeof parsed.secretAccessKey !== 'string') {
    throw new S3EnvironmentError(
      'MR_ERR_S3_STATE_CORRUPT',
      `${file} lacks accessKeyId or secretAccessKey; delete it and the data directory beside it, then run npm run s3:up again`,
    );
  }
  return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey };
}
