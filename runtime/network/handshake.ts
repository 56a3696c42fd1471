// The data-plane handshake of a Deployment with a key: before any frame, the accepting slot
// sends a random challenge; the connecting slot answers with its own nonce and an HMAC of both
// under the Deployment's data key; the accepting slot answers with an HMAC proving it holds the
// key too. Only then do frames flow. Without a key (local mode on loopback) there is no handshake.
//
//   server → client   "MRH1" | challenge[32]
//   client → server   "MRH1" | nonce[32] | hmac("client" | challenge | nonce)[32]
//   server → client   hmac("server" | nonce | challenge)[32]
//
// Each side is a small state machine fed with bytes; it returns the bytes left over after the
// handshake (the first frames) once done and throws MR_ERR_HANDSHAKE_FAILED on a wrong answer.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { RuntimeError } from '../errors/runtime-error.ts';

const MAGIC = Buffer.from('MRH1');
const N = 32;
export const HANDSHAKE_TIMEOUT_MS = 5000;

const mac = (key: Buffer, role: string, a: Buffer, b: Buffer) => createHmac('sha256', key).update(role).update(a).update(b).digest();

function failed(message: string): RuntimeError {
  return new RuntimeError('MR_ERR_HANDSHAKE_FAILED', message);
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Accepting side. */
export class ServerHandshake {
  private readonly key: Buffer;
  readonly challenge: Buffer;
  private got = Buffer.alloc(0);
  constructor(key: Buffer, challenge = randomBytes(N)) {
    this.key = key;
    this.challenge = challenge;
  }
  /** What to send first. */
  hello(): Buffer {
    return Buffer.concat([MAGIC, this.challenge]);
  }
  /** Feeds received bytes; returns { reply, rest } when the client proved the key, undefined while more is needed. */
  receive(chunk: Buffer): { reply: Buffer; rest: Buffer } | undefined {
    this.got = Buffer.concat([this.got, chunk]);
    if (this.got.length >= MAGIC.length && !this.got.subarray(0, MAGIC.length).equals(MAGIC)) throw failed('the peer does not speak the Millrace data protocol with authentication');
    if (this.got.length < MAGIC.length + 2 * N) return undefined;
    const nonce = this.got.subarray(4, 4 + N);
    const proof = this.got.subarray(4 + N, 4 + 2 * N);
    if (!equal(proof, mac(this.key, 'client', this.challenge, nonce))) throw failed('the peer does not hold this Deployment\'s key');
    return { reply: mac(this.key, 'server', nonce, this.challenge), rest: this.got.subarray(4 + 2 * N) };
  }
}

/** Connecting side. */
export class ClientHandshake {
  private readonly key: Buffer;
  private readonly nonce: Buffer;
  private challenge: Buffer | undefined;
  private got = Buffer.alloc(0);
  constructor(key: Buffer, nonce = randomBytes(N)) {
    this.key = key;
    this.nonce = nonce;
  }
  /**
   * Feeds received bytes. After the challenge: { send } (the answer); after the server's proof:
   * { done: rest }. undefined while more is needed.
   */
  receive(chunk: Buffer): { send?: Buffer; done?: Buffer } | undefined {
    this.got = Buffer.concat([this.got, chunk]);
    if (!this.challenge) {
      if (this.got.length >= MAGIC.length && !this.got.subarray(0, MAGIC.length).equals(MAGIC)) throw failed('the peer does not speak the Millrace data protocol with authentication');
      if (this.got.length < MAGIC.length + N) return undefined;
      this.challenge = Buffer.from(this.got.subarray(4, 4 + N));
      this.got = this.got.subarray(4 + N);
      const send = Buffer.concat([MAGIC, this.nonce, mac(this.key, 'client', this.challenge, this.nonce)]);
      const after = this.got.length >= N ? this.receive(Buffer.alloc(0)) : undefined;
      return { send, ...(after?.done ? { done: after.done } : {}) };
    }
    if (this.got.length < N) return undefined;
    if (!equal(this.got.subarray(0, N), mac(this.key, 'server', this.nonce, this.challenge))) throw failed('the peer does not hold this Deployment\'s key');
    return { done: this.got.subarray(N) };
  }
}
