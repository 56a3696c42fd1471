// Data connections carry PING frames when quiet, so an idle but healthy channel stays open, and a
// peer that goes silent (a partition, a frozen process) is noticed within the silence timeout
// instead of at the next checkpoint timeout. With a key, channels flow only after the handshake.
import net from 'node:net';
import { createHmac } from 'node:crypto';
import { dataBuffer, type ChannelReader } from './buffers.ts';
import { NetworkEnvironment } from './network-environment.ts';

const key = createHmac('sha256', 'k').update('millrace/v1/data').digest();
const readable = (reader: ChannelReader) => new Promise<void>((resolve) => reader.setListener(resolve));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('an idle authenticated channel stays open past the silence timeout and then delivers', async () => {
  // 3 s: twice the longest gap between PINGs (sent after 1 s of quiet, looked at every 0.5 s) —
  // 1.5 s left no room and failed under a loaded suite
  const receiver = new NetworkEnvironment({ key, silenceTimeoutMs: 3000 });
  const sender = new NetworkEnvironment({ key, silenceTimeoutMs: 3000 });
  try {
    const address = await receiver.start('127.0.0.1');
    const input = receiver.inputChannel('j/0/e/0/0');
    const output = sender.outputChannel(address, 'j/0/e/0/0');
    await sleep(6500);
    output.write(dataBuffer(['late'], [1]));
    await readable(input);
    expect(input.poll()?.values).toEqual(['late']);
  } finally {
    await sender.close();
    await receiver.close();
  }
}, 15_000);

test('a silent peer is noticed within the timeout: the channel fails with MR_ERR_CHANNEL_FAILED', async () => {
  // accepts and then never answers, as a partitioned or frozen peer
  const sockets: net.Socket[] = [];
  const silent = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const refused: string[] = [];
  const sender = new NetworkEnvironment({ silenceTimeoutMs: 1000, onRefused: (_peer, code) => refused.push(code) });
  try {
    const output = sender.outputChannel(`127.0.0.1:${(silent.address() as net.AddressInfo).port}`, 'j/0/e/0/0');
    const started = Date.now();
    let failure: unknown;
    while (!failure && Date.now() - started < 5000) {
      await sleep(100);
      try {
        output.write(dataBuffer([1], [1])); // queued: the silent peer never grants credit
      } catch (err) {
        failure = err;
      }
    }
    expect(failure).toMatchObject({ code: 'MR_ERR_CHANNEL_FAILED' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(refused).toContain('MR_ERR_CHANNEL_FAILED');
  } finally {
    await sender.close();
    for (const s of sockets) s.destroy();
    silent.close();
  }
});
