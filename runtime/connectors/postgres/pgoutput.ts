// Decoding of the logical replication stream (protocol version 1 of the `pgoutput` plugin) and the
// standby status update the client sends back. Pure: buffers in, messages out.
// https://www.postgresql.org/docs/15/protocol-logicalrep-message-formats.html

/** LSN text `16/B374D848` ↔ a 64-bit number. */
export function lsnToBigint(text: string): bigint {
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

export function bigintToLsn(v: bigint): string {
  return `${(v >> 32n).toString(16).toUpperCase()}/${(v & 0xffffffffn).toString(16).toUpperCase()}`;
}

export interface RelationColumn {
  name: string;
  typeOid: number;
  isKey: boolean;
}

/** A column value: text, null, or unchanged TOAST (not sent) */
export type TupleValue = string | null | { unchanged: true };

export type PgOutputMessage =
  | { tag: 'begin'; finalLsn: bigint; xid: number }
  | { tag: 'commit'; commitLsn: bigint; endLsn: bigint; /** microseconds since 2000-01-01 UTC */ commitTime: bigint }
  | { tag: 'relation'; relationId: number; schema: string; name: string; columns: RelationColumn[] }
  | { tag: 'insert'; relationId: number; tuple: TupleValue[] }
  | { tag: 'update'; relationId: number; old?: TupleValue[]; oldIsKeyOnly?: boolean; tuple: TupleValue[] }
  | { tag: 'delete'; relationId: number; old: TupleValue[]; oldIsKeyOnly: boolean }
  | { tag: 'truncate'; relationIds: number[] }
  | { tag: 'other'; type: string };

class Reader {
  private readonly b: Buffer;
  pos = 0;
  constructor(b: Buffer) {
    this.b = b;
  }
  u8(): number {
    return this.b.readUInt8(this.pos++);
  }
  i16(): number {
    const v = this.b.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    const v = this.b.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    const v = this.b.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  cstring(): string {
    const end = this.b.indexOf(0, this.pos);
    const s = this.b.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  tuple(): TupleValue[] {
    const n = this.i16();
    const out: TupleValue[] = [];
    for (let i = 0; i < n; i++) {
      const kind = String.fromCharCode(this.u8());
      if (kind === 'n') out.push(null);
      else if (kind === 'u') out.push({ unchanged: true });
      else {
        const len = this.i32();
        out.push(this.b.toString('utf8', this.pos, this.pos + len));
        this.pos += len;
      }
    }
    return out;
  }
}

export function decodePgOutput(data: Buffer): PgOutputMessage {
  const r = new Reader(data);
  const type = String.fromCharCode(r.u8());
  switch (type) {
    case 'B': {
      const finalLsn = r.u64();
      r.u64(); // commit timestamp
      return { tag: 'begin', finalLsn, xid: r.i32() };
    }
    case 'C': {
      r.u8(); // flags
      const commitLsn = r.u64();
      const endLsn = r.u64();
      return { tag: 'commit', commitLsn, endLsn, commitTime: r.u64() };
    }
    case 'R': {
      const relationId = r.i32();
      const schema = r.cstring();
      const name = r.cstring();
      r.u8(); // replica identity setting
      const n = r.i16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++) {
        const flags = r.u8();
        const column = r.cstring();
        const typeOid = r.i32();
        r.i32(); // type modifier
        columns.push({ name: column, typeOid, isKey: (flags & 1) === 1 });
      }
      return { tag: 'relation', relationId, schema, name, columns };
    }
    case 'I': {
      const relationId = r.i32();
      r.u8(); // 'N'
      return { tag: 'insert', relationId, tuple: r.tuple() };
    }
    case 'U': {
      const relationId = r.i32();
      const marker = String.fromCharCode(r.u8());
      let old: TupleValue[] | undefined;
      let oldIsKeyOnly: boolean | undefined;
      if (marker === 'K' || marker === 'O') {
        oldIsKeyOnly = marker === 'K';
        old = r.tuple();
        r.u8(); // 'N'
      }
      const tuple = r.tuple();
      return { tag: 'update', relationId, tuple, ...(old ? { old, oldIsKeyOnly: oldIsKeyOnly! } : {}) };
    }
    case 'D': {
      const relationId = r.i32();
      const marker = String.fromCharCode(r.u8());
      return { tag: 'delete', relationId, old: r.tuple(), oldIsKeyOnly: marker === 'K' };
    }
    case 'T': {
      const n = r.i32();
      r.u8(); // options
      return { tag: 'truncate', relationIds: Array.from({ length: n }, () => r.i32()) };
    }
    default:
      return { tag: 'other', type };
  }
}

const PG_EPOCH_MS = 946_684_800_000n; // 2000-01-01T00:00:00Z

/** Standby status update ('r'): written, flushed and applied up to `lsn`. */
export function standbyStatusUpdate(lsn: bigint, nowMs: number, replyRequested = false): Buffer {
  const b = Buffer.alloc(34);
  b.write('r', 0);
  b.writeBigUInt64BE(lsn, 1);
  b.writeBigUInt64BE(lsn, 9);
  b.writeBigUInt64BE(lsn, 17);
  b.writeBigInt64BE((BigInt(nowMs) - PG_EPOCH_MS) * 1000n, 25);
  b.writeUInt8(replyRequested ? 1 : 0, 33);
  return b;
}
