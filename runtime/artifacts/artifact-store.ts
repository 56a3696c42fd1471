// A namespace's files in its workspace bucket, as the console serves them to members: artifacts
// (upload, list, download, delete; each upload records its sha256 as object metadata, so a
// listing can print the digest a Deployment may pin) and archived job logs (read only).
// Keys follow layout.ts; names are checked there, so no request reaches outside the namespace.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { RuntimeError } from '../errors/runtime-error.ts';
import { isArtifactPath, logsDir, namespaceArtifactsDir } from './layout.ts';
import type { ArtifactKind } from './layout.ts';

export const SHA256_METADATA = 'sha256';

export interface ArtifactInfo {
  name: string;
  kind: ArtifactKind;
  /** s3://<bucket>/<key>, as spec.source.artifact.uri takes it */
  uri: string;
  size: number;
  lastModified?: string;
  sha256?: string;
  uploadedBy?: string;
}

export interface LogFile { key: string; name: string; size: number; lastModified?: string }
export interface ArchivedJob { jobId: string; files: LogFile[]; lastModified?: string }

const notFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
};

export class ArtifactStore {
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  constructor(client: S3Client, bucket: string, prefix: string) {
    this.client = client; this.bucket = bucket; this.prefix = prefix;
  }

  /** The key of an artifact name; MR_ERR_ARTIFACT_NAME names the rule when it is not one. */
  key(namespace: string, name: string, kind: ArtifactKind = 'artifacts'): string {
    if (!isArtifactPath(name, kind === 'sql-artifacts')) {
      throw new RuntimeError('MR_ERR_ARTIFACT_NAME', `artifact name '${name}' is not valid: use letters, digits, '.', '_' and '-'${kind === 'sql-artifacts' ? ", with '/' between directories" : ' (no directories)'}, not starting with '.'`);
    }
    return `${namespaceArtifactsDir(this.prefix, namespace, kind)}${name}`;
  }

  private async listKeys(prefix: string): Promise<Array<{ key: string; size: number; lastModified?: Date }>> {
    const out: Array<{ key: string; size: number; lastModified?: Date }> = [];
    for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: prefix })) {
      for (const o of page.Contents ?? []) if (o.Key && !o.Key.endsWith('/')) out.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified });
    }
    return out;
  }

  async list(namespace: string, kind: ArtifactKind = 'artifacts'): Promise<ArtifactInfo[]> {
    const dir = namespaceArtifactsDir(this.prefix, namespace, kind);
    const objects = await this.listKeys(dir);
    // the digest is in each object's metadata (HEAD); a namespace has tens of artifacts, not thousands
    return Promise.all(objects.map(async (o) => {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: o.key })).catch(() => undefined);
      return {
        name: o.key.slice(dir.length), kind, uri: `s3://${this.bucket}/${o.key}`, size: o.size,
        ...(o.lastModified ? { lastModified: o.lastModified.toISOString() } : {}),
        ...(head?.Metadata?.[SHA256_METADATA] ? { sha256: head.Metadata[SHA256_METADATA] } : {}),
        ...(head?.Metadata?.['uploaded-by'] ? { uploadedBy: head.Metadata['uploaded-by'] } : {}),
      };
    }));
  }

  /** Writes the artifact (replacing one of the same name); `expectedSha256` refuses a body that arrived different. */
  async upload(namespace: string, name: string, body: Buffer, options: { kind?: ArtifactKind; uploadedBy?: string; expectedSha256?: string } = {}): Promise<ArtifactInfo> {
    const kind = options.kind ?? 'artifacts';
    const key = this.key(namespace, name, kind);
    const sha256 = createHash('sha256').update(body).digest('hex');
    if (options.expectedSha256 && options.expectedSha256.toLowerCase() !== sha256) {
      throw new RuntimeError('MR_ERR_JOB_DIGEST_MISMATCH', `the uploaded body has sha256 ${sha256}, not the ${options.expectedSha256} the client sent (x-millrace-sha256); upload again`);
    }
    // user metadata is ASCII only: the uploader's name is kept readable, other characters escaped
    const uploadedBy = options.uploadedBy ? encodeURIComponent(options.uploadedBy).slice(0, 200) : undefined;
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.byteLength, Metadata: { [SHA256_METADATA]: sha256, ...(uploadedBy ? { 'uploaded-by': uploadedBy } : {}) } }));
    return { name, kind, uri: `s3://${this.bucket}/${key}`, size: body.byteLength, sha256, ...(uploadedBy ? { uploadedBy } : {}) };
  }

  /** The artifact's bytes as a stream, or undefined when there is none. */
  async download(namespace: string, name: string, kind: ArtifactKind = 'artifacts'): Promise<{ body: Readable; size?: number; sha256?: string } | undefined> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(namespace, name, kind) }));
      return { body: r.Body as Readable, ...(r.ContentLength !== undefined ? { size: r.ContentLength } : {}), ...(r.Metadata?.[SHA256_METADATA] ? { sha256: r.Metadata[SHA256_METADATA] } : {}) };
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  /** Deletes the artifact; false when there was none. */
  async delete(namespace: string, name: string, kind: ArtifactKind = 'artifacts'): Promise<boolean> {
    const key = this.key(namespace, name, kind);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      if (notFound(err)) return false;
      throw err;
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    return true;
  }

  /** The jobs of a deployment with archived logs, newest last (by their newest file). */
  async archivedJobs(namespace: string, deployment: string): Promise<ArchivedJob[]> {
    const dir = logsDir(this.prefix, namespace, deployment);
    const jobs = new Map<string, ArchivedJob>();
    for (const o of await this.listKeys(dir)) {
      const [jobId, ...rest] = o.key.slice(dir.length).split('/');
      if (!jobId || rest.length !== 1) continue;
      const job = jobs.get(jobId) ?? { jobId, files: [] };
      const lastModified = o.lastModified?.toISOString();
      job.files.push({ key: o.key, name: rest[0]!, size: o.size, ...(lastModified ? { lastModified } : {}) });
      if (lastModified && (!job.lastModified || lastModified > job.lastModified)) job.lastModified = lastModified;
      jobs.set(jobId, job);
    }
    return [...jobs.values()].sort((a, b) => (a.lastModified ?? '').localeCompare(b.lastModified ?? ''));
  }

  /** One archived file of a job (a log chunk or exceptions.json), or undefined. */
  async readLogFile(namespace: string, deployment: string, jobId: string, name: string): Promise<Buffer | undefined> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(name)) throw new RuntimeError('MR_ERR_ARTIFACT_NAME', `log file name '${name}' is not valid`);
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: `${logsDir(this.prefix, namespace, deployment, jobId)}${name}` }));
      return Buffer.from(await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }
}
