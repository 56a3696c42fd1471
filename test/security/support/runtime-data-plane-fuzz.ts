// Fuzz cases against a slot's data port: wrong handshakes (random bytes, a wrong key, a truncated
// answer) and, after a correct handshake, broken frames (random bytes, a zero length, an oversize
// length prefix, unknown types, truncated frames, DATA that is not JSON, CREDIT to the receiver).
// Every random choice comes from one seed, so a failing run can be replayed.

import { createHmac, randomBytes } from 'node:crypto';
import net from 'node:net';
import type { SeededRandom } from '../../recovery/support/seeded-random.ts';

export type FuzzKind = 'random-bytes' | 'wrong-key' | 'truncated-handshake' | 'random-frames' | 'zero-length' | 'oversize-length' | 'unknown-type' | 'truncated-frame' | 'bad-data-json' | 'credit-to-receiver';
export const FUZZ_KINDS: readonly FuzzKind[] = ['random-bytes', 'wrong-key', 'truncated-handshake', 'random-frames', 'zero-length', 'oversize-length', 'unknown-type', 'truncated-frame', 'bad-data-json', 'credit-to-receiver'];

export interface FuzzOutcome {
  readonly kind: FuzzKind;
  /** the slot closed the connection by itself */
  readonly closedByPeer: boolean;
}

const bytes = (r: SeededRandom, n: number) => Buffer.from(Array.from({ length: n }, () => r.int(0, 255)));

function frame(type: number, channel: number, body: Buffer, length = 5 + body.length): Buffer {
  const h = Buffer.alloc(9);
  h.writeUInt32LE(length >>> 0, 0);
  h.writeUInt8(type, 4);
  h.writeUInt32LE(channel >>> 0, 5);
  return Buffer.concat([h, body]);
}

/** The payload sent after a correct handshake, by kind. */
function frames(kind: FuzzKind, r: SeededRandom): Buffer {
  switch (kind) {
    case 'zero-length': return Buffer.alloc(4);
    case 'oversize-length': return Buffer.concat([frame(3, 0, Buffer.alloc(0), r.int(16 * 1024 * 1024, 0xfffffff0)), bytes(r, r.int(0, 4096))]);
    case 'unknown-type': return frame(r.int(5, 255), r.int(0, 10), bytes(r, r.int(0, 64)));
    case 'truncated-frame': return frame(3, 0, bytes(r, r.int(8, 64))).subarray(0, r.int(5, 12));
    case 'bad-data-json': {
      const body = Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.alloc(8), Buffer.from('{not json')]);
      return Buffer.concat([frame(1, 0, Buffer.from(`fuzz/${r.int(0, 1e9)}/0/0/0`)), frame(3, 0, body)]);
    }
    case 'credit-to-receiver': return frame(2, 0, Buffer.from([1, 0, 0, 0]));
    default: return bytes(r, r.int(1, 512));
  }
}

/** The kinds a slot must refuse by closing the connection (the others may wait for more bytes). */
export const MUST_CLOSE: ReadonlySet<FuzzKind> = new Set(['wrong-key', 'zero-length', 'oversize-length', 'unknown-type', 'bad-data-json', 'credit-to-receiver']);

/**
 * Runs one case; resolves when the peer closed the connection, or after `waitMs` (default: 10 s
 * for kinds the peer must close, so a busy machine is no failure; 500 ms for the others).
 */
export function runFuzzCase(address: string, kind: FuzzKind, key: Buffer, r: SeededRandom, waitMs = MUST_CLOSE.has(kind) ? 10_000 : 500): Promise<FuzzOutcome> {
  const i = address.lastIndexOf(':');
  const socket = net.connect({ host: address.slice(0, i), port: Number(address.slice(i + 1)) });
  const wrongKey = createHmac('sha256', randomBytes(32)).update('millrace/v1/data').digest();
  const plan = {
    random: r.int(1, 200), payload: frames(kind, r), truncateAt: r.int(1, 60),
  };
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    let stage: 'challenge' | 'proof' | 'frames' | 'done' = 'challenge';
    let closedByPeer = false;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ kind, closedByPeer });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closedByPeer = !finished;
      finish();
    });
    socket.on('connect', () => {
      // these never get past the handshake
      if (kind === 'random-bytes') socket.write(bytes(r, plan.random));
    });
    socket.on('data', (c: Buffer) => {
      got = Buffer.concat([got, c]);
      if (stage === 'challenge' && got.length >= 36 && kind !== 'random-bytes') {
        const challenge = got.subarray(4, 36);
        const nonce = randomBytes(32);
        const proof = createHmac('sha256', kind === 'wrong-key' ? wrongKey : key).update('client').update(challenge).update(nonce).digest();
        const answer = Buffer.concat([Buffer.from('MRH1'), nonce, proof]);
        got = got.subarray(36);
        if (kind === 'truncated-handshake') {
          socket.end(answer.subarray(0, plan.truncateAt));
          stage = 'done';
          return;
        }
        socket.write(answer);
        stage = 'proof';
      }
      if (stage === 'proof' && got.length >= 32) {
        stage = 'frames';
        const payload = plan.payload;
        // a truncated frame is followed by our end of the connection (it can never complete)
        if (kind === 'truncated-frame') socket.end(payload);
        else socket.write(payload);
      }
    });
  });
}
