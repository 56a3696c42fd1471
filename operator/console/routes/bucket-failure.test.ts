// What the console says when the workspace bucket fails (bucketFailure, pure): S3's own error
// names decide between "the key is refused", "no such bucket" and any other failure; each names
// the namespace, the bucket and prefix, and the fix. (The real MinIO refusal, through the pages
// and the upload, is in test/console/console-e2e.test.ts.)
import { ArtifactStore } from '../../../runtime/artifacts/artifact-store.ts';
import { createS3Client } from '../../../runtime/storage/open-object-store.ts';
import { resolveS3Settings } from '../../../runtime/storage/s3-settings.ts';
import { bucketFailure } from './artifacts.ts';

const store = new ArtifactStore(createS3Client(resolveS3Settings({}, { endpoint: 'http://127.0.0.1:1', region: 'us-east-1', forcePathStyle: true }), { accessKeyId: 'a', secretAccessKey: 'b' }), 'ws-bucket', 'team/');
const s3Error = (name: string, message: string, status?: number) => Object.assign(new Error(message), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });

test('a refused key, a missing bucket and other failures each get a 502 naming the bucket and what to do', () => {
  const refused = bucketFailure(s3Error('InvalidAccessKeyId', 'The Access Key Id you provided does not exist in our records.', 403), store, 'team-a');
  expect(refused.code).toBe('MR_ERR_CONSOLE_STORAGE');
  expect(refused.statusCode).toBe(502);
  expect(refused.message).toMatch(/^namespace team-a: the console cannot read the bucket ws-bucket \(prefix team\/\) of this namespace's workspace: S3 refused the workspace's key \(InvalidAccessKeyId: The Access Key Id .*\); fix: the Secret of the Workspace's spec\.storage\.secretRef must hold AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY of a key that may read and write ws-bucket$/);
  // any 403, whatever S3 calls it
  expect(bucketFailure(s3Error('Forbidden', 'forbidden', 403), store, 'team-a').message).toContain("S3 refused the workspace's key");
  expect(bucketFailure(s3Error('NoSuchBucket', 'The specified bucket does not exist', 404), store, 'team-a').message)
    .toBe("namespace team-a: the bucket ws-bucket (prefix team/) of this namespace's workspace does not exist (S3 answered NoSuchBucket: The specified bucket does not exist); create it, or correct spec.storage.bucket of the Workspace");
  const down = bucketFailure(s3Error('TimeoutError', 'connect ETIMEDOUT 10.0.0.1:9000'), store, 'team-a');
  expect(down.statusCode).toBe(502);
  expect(down.message).toBe("namespace team-a: the bucket ws-bucket (prefix team/) of this namespace's workspace could not be used: TimeoutError: connect ETIMEDOUT 10.0.0.1:9000");
});
