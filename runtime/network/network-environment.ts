// The data plane of one slot (worker thread): a TCP server for incoming channels, one outgoing
// connection per remote slot, and a registry of same-slot LocalChannels. Channels are matched by
// key (job/attempt/edge/from/to); whichever side arrives first waits for the other. Frames
// leave in batches: what a turn of the event loop made goes out in one write per connection, with
// credits summed per channel (frame-batch.ts, turn-flusher.ts).

import net from 'node:net';
import { BACKLOG_LIMIT, DATA, END_OF_PARTITION, INITIAL_CREDIT, type ChannelReader, type ChannelWriter, type StreamBuffer } from './buffers.ts';
import { FrameBatch } from './frame-batch.ts';
import { FRAME_CREDIT, FRAME_DATA, FRAME_EVENT, FRAME_OPEN, FRAME_PING, PING_FRAME, FrameError, FrameReader, decodeData, decodeEvent, encodeBuffer, encodeOpen, type Frame } from './frame-codec.ts';
import { TurnFlusher, type FlushScheduler } from './turn-flusher.ts';
import { LocalChannel } from './local-channel.ts';
import { ClientHandshake, HANDSHAKE_TIMEOUT_MS, ServerHandshake } from './handshake.ts';
import { errorCode } from '../errors/runtime-error.ts';
import { recordTypeFingerprint, TypedRowCodec, type RecordType } from './typed-rows.ts';

/** TCP keepalive probes start after this idle time (their interval and count are the kernel's). */
const KEEPALIVE_DELAY_MS = 1000;
/** A connection quiet this long gets a PING frame; one silent for the timeout is closed (failing its channels). */
const PING_INTERVAL_MS = 1000;
export const DEFAULT_SILENCE_TIMEOUT_MS = Number(process.env.MILLRACE_DATA_SILENCE_TIMEOUT_MS ?? 15_000);

/** When a connection last received and sent bytes; `ready` once its handshake is done. */
interface Liveness {
  readonly socket: net.Socket;
  readonly peer: string;
  lastIn: number;
  lastOut: number;
  ready: boolean;
}

export class ChannelFailedError extends Error {
  readonly code = 'MR_ERR_CHANNEL_FAILED';
}

/** Receiver end of a remote channel. */
class RemoteInputChannel implements ChannelReader {
  readonly key: string;
  /** the declared row type's codec, and its fingerprint ('' when the channel declared none) */
  readonly typed: TypedRowCodec | undefined;
  readonly fingerprint: string;
  private readonly queue: StreamBuffer[] = [];
  private listener: (() => void) | undefined;
  /** credits go back on the connection the data came from */
  private out: FrameBatch | undefined;
  private channelNo = 0;
  private failure: Error | undefined;
  private closed = false;
  ended = false;

  constructor(key: string, type: RecordType | undefined) {
    this.key = key;
    this.typed = type ? new TypedRowCodec(type) : undefined;
    this.fingerprint = recordTypeFingerprint(type);
  }
  bind(out: FrameBatch, channelNo: number): void {
    this.out = out;
    this.channelNo = channelNo;
    out.addCredit(channelNo, INITIAL_CREDIT);
  }
  deliver(b: StreamBuffer): void {
    if (this.closed) return;
    if (b.kind === END_OF_PARTITION) this.ended = true;
    this.queue.push(b);
    if (this.queue.length === 1) this.listener?.();
  }
  fail(err: Error): void {
    if (this.ended || this.closed) return;
    this.failure = err;
    this.listener?.();
  }
  poll(): StreamBuffer | undefined {
    const b = this.queue.shift();
    if (b === undefined) {
      if (this.failure) throw this.failure;
      return undefined;
    }
    if (b.kind === DATA) this.out?.addCredit(this.channelNo, 1);
    return b;
  }
  setListener(l: () => void): void {
    this.listener = l;
    if (this.queue.length > 0 || this.failure) l();
  }
  close(): void {
    this.closed = true;
  }
}

/** Sender end of a remote channel. */
class RemoteOutputChannel implements ChannelWriter {
  private readonly conn: OutgoingConnection;
  private readonly channelNo: number;
  private readonly typed: TypedRowCodec | undefined;
  private credits = 0;
  private readonly pending: StreamBuffer[] = [];
  private waiters: Array<() => void> = [];
  constructor(conn: OutgoingConnection, channelNo: number, type: RecordType | undefined) {
    this.conn = conn;
    this.channelNo = channelNo;
    this.typed = type ? new TypedRowCodec(type) : undefined;
  }
  write(b: StreamBuffer): void {
    if (this.conn.failure) throw this.conn.failure;
    if (this.pending.length === 0 && (b.kind !== DATA || this.credits > 0)) this.send(b);
    else this.pending.push(b);
  }
  private send(b: StreamBuffer): void {
    if (b.kind === DATA) {
      this.credits--;
      this.conn.out.addData(this.channelNo, b, this.typed);
    } else this.conn.out.add(encodeBuffer(this.channelNo, b));
  }
  addCredit(n: number): void {
    this.credits += n;
    while (this.pending.length > 0 && (this.pending[0]!.kind !== DATA || this.credits > 0)) this.send(this.pending.shift()!);
    if (this.pending.length < BACKLOG_LIMIT) this.wakeAll();
  }
  wakeAll(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
  isAvailable(): boolean {
    return this.pending.length < BACKLOG_LIMIT || this.conn.failure !== undefined;
  }
  waitAvailable(): Promise<void> {
    if (this.isAvailable()) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }
  backlog(): number {
    return this.pending.length;
  }
  close(): void {
    this.wakeAll();
  }
}

class OutgoingConnection {
  readonly socket: net.Socket;
  readonly out: FrameBatch;
  private readonly channels: RemoteOutputChannel[] = [];
  failure: Error | undefined;
  readonly live: Liveness;
  constructor(address: string, flusher: TurnFlusher, onClosed: () => void, auth: DataPlaneAuth) {
    const [host, port] = splitAddress(address);
    this.socket = net.connect({ host, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: KEEPALIVE_DELAY_MS });
    // with a key, frames wait until the handshake proved both ends hold it
    let handshake = auth.key ? new ClientHandshake(auth.key) : undefined;
    const held: Buffer[] = [];
    const socket = this.socket;
    const live: Liveness = { socket, peer: address, lastIn: Date.now(), lastOut: Date.now(), ready: !handshake };
    this.live = live;
    this.out = new FrameBatch({
      write: (b: Buffer) => {
        if (handshake) return (held.push(b), true);
        live.lastOut = Date.now();
        return socket.write(b);
      },
      get destroyed() { return socket.destroyed; },
    }, flusher.enqueue);
    const reader = new FrameReader((f) => {
      if (f.type === FRAME_CREDIT) this.channels[f.channel]?.addCredit(f.body.readUInt32LE(0));
    });
    const onBytes = (c: Buffer) => {
      live.lastIn = Date.now();
      if (handshake) {
        const r = handshake.receive(c);
        if (r?.send) socket.write(r.send);
        if (!r?.done) return;
        handshake = undefined;
        live.ready = true;
        for (const b of held.splice(0)) socket.write(b);
        c = r.done;
        if (c.length === 0) return;
      }
      reader.push(c);
    };
    this.socket.on('data', (c: Buffer) => {
      flusher.flushNow();
      try {
        onBytes(c);
      } catch (err) {
        auth.onRefused?.(address, errorCode(err) ?? 'MR_ERR_FRAME_INVALID', (err as Error).message);
        fail(err as Error);
        socket.destroy();
      }
    });
    const fail = (err?: Error) => {
      if (this.failure) return;
      this.failure = new ChannelFailedError(`MR_ERR_CHANNEL_FAILED: connection to ${address} lost${err ? `: ${err.message}` : ''}`);
      for (const ch of this.channels) ch.wakeAll();
      onClosed();
    };
    this.socket.on('error', fail);
    this.socket.on('close', () => fail());
  }
  open(key: string, type: RecordType | undefined): RemoteOutputChannel {
    const no = this.channels.length;
    const ch = new RemoteOutputChannel(this, no, type);
    this.channels.push(ch);
    // the declared row type goes with the OPEN: the receiver refuses a channel typed otherwise
    const fingerprint = recordTypeFingerprint(type);
    this.out.add(encodeOpen(no, fingerprint === '' ? key : `${key}${TYPE_SEPARATOR}${fingerprint}`));
    return ch;
  }
}

/** Between a channel key and its row type's fingerprint in an OPEN frame (never in a key). */
const TYPE_SEPARATOR = '\u0000';

/** A refusal of a channel whose ends declared different row types. */
function typeMismatch(key: string, declared: string, expected: string): FrameError {
  return new FrameError(`channel ${key} was opened with record type ${declared || '(none)'} but this slot expects ${expected || '(none)'}; both ends must run the same job (graph)`);
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}

/** Counters of the slot's outgoing frames, summed over its connections. */
export interface NetworkStats {
  /** socket writes */
  readonly writes: number;
  /** frames they carried (a coalesced credit frame counts once) */
  readonly frames: number;
}

export interface NetworkEnvironmentOptions {
  /** when batched frames are written; default setImmediate (see turn-flusher.ts) */
  readonly flushScheduler?: FlushScheduler;
  /** the Deployment's data key (auth/deployment-key.ts 'data'); connections then start with a handshake */
  readonly key?: Buffer;
  /** a connection was closed for a bad handshake or frame (the peer's address, the code, why) */
  readonly onRefused?: (peer: string, code: string, reason: string) => void;
  /** largest accepted frame (frame-codec.ts MAX_FRAME_BYTES) */
  readonly maxFrameBytes?: number;
  /** a connection that received nothing (not even a PING) for this long is closed; default 15 s */
  readonly silenceTimeoutMs?: number;
}

interface DataPlaneAuth {
  readonly key?: Buffer;
  readonly onRefused?: (peer: string, code: string, reason: string) => void;
}

export class NetworkEnvironment {
  private server: net.Server | undefined;
  private readonly flusher: TurnFlusher;
  private readonly batches = new Set<FrameBatch>();
  /** counts of the batches of closed connections */
  private closedStats: NetworkStats = { writes: 0, frames: 0 };
  address = '';
  private readonly outgoing = new Map<string, OutgoingConnection>();
  private readonly inputs = new Map<string, RemoteInputChannel>();
  /** OPENs whose task is not deployed yet, with the events that came before it (sent without credit) */
  private readonly unmatchedOpens = new Map<string, { out: FrameBatch; channel: number; table: Array<RemoteInputChannel | undefined>; early: StreamBuffer[]; fingerprint: string; refuse: (err: Error) => void }>();
  private readonly locals = new Map<string, LocalChannel>();
  private readonly incoming = new Set<net.Socket>();

  private readonly options: NetworkEnvironmentOptions;
  private readonly lives = new Set<Liveness>();
  private livenessTimer: ReturnType<typeof setInterval> | undefined;

  /** Pings quiet connections and closes silent ones (a partitioned or frozen peer). */
  private watch(live: Liveness): void {
    this.lives.add(live);
    if (this.livenessTimer) return;
    const timeout = this.options.silenceTimeoutMs ?? DEFAULT_SILENCE_TIMEOUT_MS;
    this.livenessTimer = setInterval(() => {
      const now = Date.now();
      for (const l of this.lives) {
        if (!l.ready || l.socket.destroyed) continue;
        if (now - l.lastIn > timeout) {
          this.options.onRefused?.(l.peer, 'MR_ERR_CHANNEL_FAILED', `no bytes from the peer for ${now - l.lastIn} ms; closing the connection`);
          l.socket.destroy(new ChannelFailedError(`MR_ERR_CHANNEL_FAILED: ${l.peer} was silent for ${now - l.lastIn} ms`));
        } else if (now - l.lastOut >= PING_INTERVAL_MS) {
          l.lastOut = now;
          l.socket.write(PING_FRAME);
        }
      }
    }, PING_INTERVAL_MS / 2);
    this.livenessTimer.unref();
  }

  constructor(options: NetworkEnvironmentOptions = {}) {
    this.options = options;
    this.flusher = new TurnFlusher(options.flushScheduler);
  }

  async start(host: string, port = 0): Promise<string> {
    this.server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const a = this.server.address() as net.AddressInfo;
    this.address = `${host}:${a.port}`;
    return this.address;
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_DELAY_MS);
    this.incoming.add(socket);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    let handshake = this.options.key ? new ServerHandshake(this.options.key) : undefined;
    let handshakeTimer: ReturnType<typeof setTimeout> | undefined;
    const refuse = (err: unknown) => {
      clearTimeout(handshakeTimer);
      this.options.onRefused?.(peer, errorCode(err) ?? 'MR_ERR_FRAME_INVALID', (err as Error).message);
      socket.destroy();
    };
    if (handshake) {
      socket.write(handshake.hello());
      handshakeTimer = setTimeout(() => refuse(Object.assign(new Error(`no handshake within ${HANDSHAKE_TIMEOUT_MS} ms`), { code: 'MR_ERR_HANDSHAKE_FAILED' })), HANDSHAKE_TIMEOUT_MS);
      handshakeTimer.unref();
    }
    const live: Liveness = { socket, peer, lastIn: Date.now(), lastOut: Date.now(), ready: !handshake };
    this.watch(live);
    const out = new FrameBatch({
      // nothing but the handshake goes out before the peer proved the key
      write: (b: Buffer) => {
        if (handshake) return true;
        live.lastOut = Date.now();
        return socket.write(b);
      },
      get destroyed() { return socket.destroyed; },
    }, this.flusher.enqueue);
    this.batches.add(out);
    const byChannel: Array<RemoteInputChannel | undefined> = [];
    const early: Array<StreamBuffer[] | undefined> = [];
    const reader = new FrameReader((f: Frame) => {
      if (f.type === FRAME_PING) return;
      if (f.type === FRAME_CREDIT) throw new FrameError('CREDIT frame sent to the receiving side');
      if (f.type === FRAME_OPEN) {
        const opened = f.body.toString('utf8');
        const sep = opened.indexOf(TYPE_SEPARATOR);
        const key = sep < 0 ? opened : opened.slice(0, sep);
        const fingerprint = sep < 0 ? '' : opened.slice(sep + 1);
        const ch = this.inputs.get(key);
        if (ch) {
          if (ch.fingerprint !== fingerprint) {
            const err = typeMismatch(key, fingerprint, ch.fingerprint);
            ch.fail(err);
            throw err;
          }
          byChannel[f.channel] = ch;
          ch.bind(out, f.channel);
        } else {
          // bound in inputChannel() when the task deploys; no data arrives before it grants
          // credit, but events (watermarks, end of partition) may: they wait here
          const pending: StreamBuffer[] = [];
          early[f.channel] = pending;
          this.unmatchedOpens.set(key, { out, channel: f.channel, table: byChannel, early: pending, fingerprint, refuse });
        }
        return;
      }
      const ch = byChannel[f.channel];
      if (!ch) {
        // data flows only on credit, and credit only on a bound channel: anything else is no peer of ours
        if (f.type !== FRAME_EVENT || !early[f.channel]) throw new FrameError(`${f.type === FRAME_DATA ? 'DATA' : 'EVENT'} frame on channel ${f.channel}, which was never opened${f.type === FRAME_DATA ? ' or granted credit' : ''}`);
        early[f.channel]!.push(decodeEvent(f.body));
        return;
      }
      if (f.type === FRAME_DATA) ch.deliver(decodeData(f.body, ch.typed));
      else if (f.type === FRAME_EVENT) ch.deliver(decodeEvent(f.body));
    }, this.options.maxFrameBytes);
    socket.on('data', (c: Buffer) => {
      // frames made since the last flush leave before this input is decoded and processed
      this.flusher.flushNow();
      live.lastIn = Date.now();
      try {
        if (handshake) {
          const r = handshake.receive(c);
          if (!r) return;
          handshake = undefined;
          live.ready = true;
          clearTimeout(handshakeTimer);
          socket.write(r.reply);
          c = r.rest;
          if (c.length === 0) return;
        }
        // a malformed frame closes this connection only (its channels fail; the job fails over)
        reader.push(c);
      } catch (err) {
        refuse(err);
      }
    });
    const fail = () => {
      this.lives.delete(live);
      this.incoming.delete(socket);
      this.retire(out);
      // OPENs that never found their task go with their connection (memory stays bounded)
      for (const [k, o] of this.unmatchedOpens) if (o.out === out) this.unmatchedOpens.delete(k);
      for (const ch of byChannel) ch?.fail(new ChannelFailedError(`MR_ERR_CHANNEL_FAILED: upstream connection closed before end of partition (${ch.key})`));
    };
    socket.on('error', fail);
    socket.on('close', fail);
  }

  /**
   * Receiver side: a channel from a task in another slot. `type` is the row type the job graph
   * declares for its edge (both ends must declare the same; see typed-rows.ts).
   */
  inputChannel(key: string, type?: RecordType): ChannelReader {
    const ch = new RemoteInputChannel(key, type);
    this.inputs.set(key, ch);
    const open = this.unmatchedOpens.get(key);
    if (open) {
      this.unmatchedOpens.delete(key);
      if (open.fingerprint !== ch.fingerprint) {
        // the connection it came on is closed (its channels fail, the job fails over)
        const err = typeMismatch(key, open.fingerprint, ch.fingerprint);
        open.refuse(err);
        ch.fail(err);
        return ch;
      }
      open.table[open.channel] = ch;
      ch.bind(open.out, open.channel);
      for (const b of open.early) ch.deliver(b);
    }
    return ch;
  }

  /** Sender side: a channel to a task in the slot at `address`; `type` as for inputChannel. */
  outputChannel(address: string, key: string, type?: RecordType): ChannelWriter {
    let c = this.outgoing.get(address);
    if (!c || c.failure) {
      const conn = new OutgoingConnection(address, this.flusher, () => {
        if (this.outgoing.get(address) === conn) this.outgoing.delete(address);
        this.retire(conn.out);
      }, { key: this.options.key, onRefused: this.options.onRefused });
      this.watch(conn.live);
      conn.socket.once('close', () => this.lives.delete(conn.live));
      c = conn;
      this.batches.add(conn.out);
      this.outgoing.set(address, c);
    }
    return c.open(key, type);
  }

  /** Same-slot channel: both ends get the same LocalChannel. */
  localChannel(key: string): LocalChannel {
    let c = this.locals.get(key);
    if (!c) {
      c = new LocalChannel();
      this.locals.set(key, c);
    }
    return c;
  }

  /** Forgets the channels of a job attempt (after its tasks ended). */
  release(prefix: string): void {
    for (const k of [...this.inputs.keys()]) if (k.startsWith(prefix)) {
      this.inputs.get(k)!.close();
      this.inputs.delete(k);
    }
    for (const k of [...this.locals.keys()]) if (k.startsWith(prefix)) {
      this.locals.get(k)!.close();
      this.locals.delete(k);
    }
    for (const k of [...this.unmatchedOpens.keys()]) if (k.startsWith(prefix)) this.unmatchedOpens.delete(k);
  }

  private retire(b: FrameBatch): void {
    if (!this.batches.delete(b)) return;
    this.closedStats = { writes: this.closedStats.writes + b.writes, frames: this.closedStats.frames + b.framesWritten };
  }

  stats(): NetworkStats {
    let writes = this.closedStats.writes;
    let frames = this.closedStats.frames;
    for (const b of this.batches) {
      writes += b.writes;
      frames += b.framesWritten;
    }
    return { writes, frames };
  }

  async close(): Promise<void> {
    clearInterval(this.livenessTimer);
    this.flusher.flushNow();
    for (const c of this.outgoing.values()) c.socket.destroy();
    for (const s of this.incoming) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
