// sha256 and size of bytes as they stream past, so a state file is hashed while it is uploaded
// or read, never held whole in memory for it.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';

export class ChecksumStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  // not `size`: lib-storage takes a Body.size property for the object's length
  byteCount = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.byteCount += chunk.length;
    callback(null, chunk);
  }

  /** hex digest; call once, after the stream ended */
  digest(): string {
    return this.hash.digest('hex');
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
